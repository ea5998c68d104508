/// Where a flow's name (TLS SNI, HTTP Host), ALPN list or JA4 lies in `FlowNames`.
public struct NameRef: Sendable, Equatable {
    var offset: UInt32
    var length: UInt16
}

/// The names flows carry, side by side in one growing buffer: a flow holds only a `NameRef`,
/// so the flow record stays small and fixed. Bytes are stored as printable ASCII (others
/// become `?`), at most 255 per name. Owns its memory; growth doubles, so it allocates
/// O(log n) times per capture, never per packet.
public struct FlowNames: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private let initialCapacity: Int
    static let maxLength = 255

    /// How a name's bytes are stored.
    enum Form {
        /// As they are (a host name).
        case text
        /// A TLS ALPN list (each name after its length byte), stored as `h2,http/1.1`.
        case alpnList
    }

    public init(capacity: Int = 65_536) {
        self.capacity = max(1024, capacity)
        initialCapacity = self.capacity
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// Stores the bytes of `range` of `payload` in `form`; nil when nothing printable remains.
    mutating func append(_ payload: UnsafeRawBufferPointer, _ range: Range<Int>, form: Form) -> NameRef? {
        if count + Self.maxLength > capacity { grow(to: max(capacity * 2, count + Self.maxLength)) }
        let start = count
        var i = range.lowerBound
        while i < range.upperBound && count - start < Self.maxLength {
            if form == .alpnList {
                // A length byte: a comma between names.
                let length = Int(payload[i])
                if count > start { put(0x2C) }
                let end = min(range.upperBound, i + 1 + length)
                i += 1
                while i < end && count - start < Self.maxLength { put(payload[i]); i += 1 }
            } else {
                put(payload[i])
                i += 1
            }
        }
        return count > start ? NameRef(offset: UInt32(start), length: UInt16(count - start)) : nil
    }

    /// Stores `text` (a process's command); nil when nothing printable remains.
    public mutating func append(_ text: String) -> NameRef? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { append(UnsafeRawBufferPointer($0), 0..<$0.count, form: .text) }
    }

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        storage[count] = (0x21...0x7E).contains(byte) ? byte : 0x3F
        count += 1
    }

    /// The bytes of `name`; valid only during the call.
    public func withBytes<R, E: Error>(of name: NameRef, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: storage + Int(name.offset), count: Int(name.length)))
    }

    /// The text of `name`, for tests and reports.
    public func text(_ name: NameRef) -> String {
        withBytes(of: name) { String(decoding: $0, as: UTF8.self) }
    }

    /// Keeps only the names `flows` still refer to, moved to the front (after flows were freed),
    /// in a buffer sized to them: a burst of names does not keep its memory after its flows end.
    mutating func compact(_ flows: UnsafeMutableBufferPointer<FlowRecord>) {
        self = FlowNames(namesOf: flows, in: self, capacity: initialCapacity)
    }

    /// The names `flows` refer to in `source`, copied side by side (in a buffer of at least
    /// `capacity`), each flow's references changed to point into the copy.
    init(namesOf flows: UnsafeMutableBufferPointer<FlowRecord>, in source: borrowing FlowNames, capacity: Int) {
        var live = 0
        for flow in flows {
            live += Int(flow.app.name?.length ?? 0) + Int(flow.app.alpn?.length ?? 0) + Int(flow.app.ja4?.length ?? 0)
                + Int(flow.localProcess?.command.length ?? 0)
        }
        initialCapacity = max(1024, capacity)
        self.capacity = max(initialCapacity, 2 * live)
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
        self.storage = storage
        var used = 0
        func move(_ name: inout NameRef?) {
            guard let old = name else { return }
            (storage + used).update(from: source.storage + Int(old.offset), count: Int(old.length))
            name = NameRef(offset: UInt32(used), length: old.length)
            used += Int(old.length)
        }
        for i in flows.indices {
            move(&flows[i].app.name)
            move(&flows[i].app.alpn)
            move(&flows[i].app.ja4)
            if let process = flows[i].localProcess {
                var command: NameRef? = process.command
                move(&command)
                flows[i].localProcess?.command = command ?? process.command
            }
        }
        count = used
    }

    private mutating func grow(to size: Int) {
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        grown.update(from: storage, count: count)
        storage.deallocate()
        storage = grown
        capacity = size
    }
}
