import PortScopeDecode
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Capture files read as one capture, as `mergecap` would join them: the files in the order of
/// their first packets, and where their times overlap, packets handed out by timestamp (the
/// earlier file first on a tie). A file is opened when the merge reaches its first packet and
/// closed (its SHA-256 done) at its last, so a rotated set holds one or two files open at once.
/// One file alone reads exactly as `CaptureFile`.
public struct CaptureSet: ~Copyable {
    /// The files, in the order their first packets came (a file without packets last).
    public let paths: [String]
    private let firstTimes: [Int64?]
    /// One slot per file: open while the merge is inside its time range.
    private let files: UnsafeMutablePointer<CaptureFile?>
    /// Each open file's next record, not yet handed out.
    private let pending: UnsafeMutablePointer<PacketRecord>
    /// The files open, in position order.
    private var open: [Int] = []
    private var nextToOpen = 0
    /// The file whose record was handed out last: it reads on at the next call.
    private var served: Int?
    /// Each file, once read to its end (nil until then).
    public private(set) var members: [Member?]
    private var memberPackets: [UInt64]
    private var memberTimes: [(first: Int64, last: Int64)?]
    /// What the files held, together; `damage` names the file it was found in.
    public private(set) var statistics = CaptureFileStatistics()
    /// Bytes of the files already read to their end.
    private var bytesOfEnded: UInt64 = 0

    /// Opens each of `paths` to read its header and first packet's time, and orders them
    /// (standard input, `-`, only alone).
    /// - Throws: `CaptureError` when a file cannot be read or is not a capture.
    public init(paths: [String]) throws(CaptureError) {
        var firsts: [(path: String, first: Int64?)] = []
        for path in paths {
            // One file needs no order (and standard input cannot be read twice).
            guard paths.count > 1 else { firsts.append((path, nil)); break }
            var file = try CaptureFile(path: path)
            firsts.append((path, try file.next()?.timestamp))
        }
        // Stable: files whose first packets tie keep the order given.
        let ordered = firsts.enumerated().sorted { a, b in
            switch (a.element.first, b.element.first) {
            case let (x?, y?): x != y ? x < y : a.offset < b.offset
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a.offset < b.offset
            }
        }.map(\.element)
        self.paths = ordered.map(\.path)
        firstTimes = ordered.map(\.first)
        files = .allocate(capacity: max(paths.count, 1))
        for slot in 0..<max(paths.count, 1) { (files + slot).initialize(to: nil) }
        pending = .allocate(capacity: max(paths.count, 1))
        members = Array(repeating: nil, count: paths.count)
        memberPackets = Array(repeating: 0, count: paths.count)
        memberTimes = Array(repeating: nil, count: paths.count)
        open.reserveCapacity(paths.count)
    }

    deinit {
        files.deinitialize(count: max(paths.count, 1))
        files.deallocate()
        pending.deallocate()
    }

    /// The next packet of the set, or nil when every file has ended. Its bytes are valid until
    /// the next call.
    public mutating func next() throws(CaptureError) -> PacketRecord? {
        if let served {
            self.served = nil
            try advance(served)
        }
        // Open the files whose first packet comes before every pending one.
        while nextToOpen < paths.count, open.isEmpty || (firstTimes[nextToOpen].map { $0 <= earliestPending() } ?? open.isEmpty) {
            try openFile(nextToOpen)
            nextToOpen += 1
        }
        guard var best = open.first else { return nil }
        var i = 1
        while i < open.count {
            if pending[open[i]].timestamp < pending[best].timestamp { best = open[i] }
            i += 1
        }
        served = best
        let record = pending[best]
        memberPackets[best] += 1
        if let times = memberTimes[best] {
            memberTimes[best] = (min(times.first, record.timestamp), max(times.last, record.timestamp))
        } else {
            memberTimes[best] = (record.timestamp, record.timestamp)
        }
        return record
    }

    /// Bytes read from the files so far.
    public var bytesRead: UInt64 {
        var total = bytesOfEnded
        for slot in open {
            switch files[slot] {
            case .some(let file): total += file.bytesRead
            case .none: break
            }
        }
        return total
    }

    /// What identifies the capture once every file was read: one file's own SHA-256 and size;
    /// for files read as one (`asOne`), the SHA-256 of their SHA-256s in byte order (the same
    /// files are the same set, whatever their names or order) and the sum of their sizes.
    public func identity(asOne: Bool) -> (sha256: String, size: UInt64) {
        let read = members.compactMap { $0 }
        if !asOne, read.count == 1 { return (read[0].sha256, read[0].size) }
        let digest = SHA256Digest()
        for hash in read.map(\.sha256).sorted() {
            Array((hash + "\n").utf8).withUnsafeBytes { digest.update($0) }
        }
        return (digest.hexDigest(), read.reduce(0) { $0 + $1.size })
    }

    /// `path` made absolute, symbolic links resolved (nil for standard input, or when it cannot be).
    public static func absolutePath(_ path: String) -> String? {
        guard path != "-", let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private func earliestPending() -> Int64 {
        var earliest = Int64.max
        for slot in open where pending[slot].timestamp < earliest { earliest = pending[slot].timestamp }
        return earliest
    }

    private mutating func openFile(_ slot: Int) throws(CaptureError) {
        files[slot] = try CaptureFile(path: paths[slot])
        try advance(slot, opening: true)
    }

    /// Reads `slot`'s next record into `pending`, or at the file's end finishes it (its SHA-256)
    /// and closes it.
    private mutating func advance(_ slot: Int, opening: Bool = false) throws(CaptureError) {
        if let record = try files[slot]!.next() {
            pending[slot] = record
            if opening { insertOpen(slot) }
            return
        }
        let digest = try files[slot]!.finish()
        let stats: CaptureFileStatistics
        switch files[slot] {
        case .some(let file): stats = file.statistics
        case .none: stats = CaptureFileStatistics()
        }
        files[slot] = nil
        if !opening { open.removeAll { $0 == slot } }
        bytesOfEnded += digest.size
        statistics.absorb(stats, from: paths[slot])
        members[slot] = Member(path: paths[slot], size: digest.size, sha256: digest.sha256, format: stats.format,
                                      compression: stats.compression, packets: memberPackets[slot],
                                      firstTime: memberTimes[slot]?.first, lastTime: memberTimes[slot]?.last)
    }

    private mutating func insertOpen(_ slot: Int) {
        let at = open.firstIndex { $0 > slot } ?? open.count
        open.insert(slot, at: at)
    }
}

extension CaptureSet {
    /// One file of a set, read to its end: its identity, and the packets it gave.
    public struct Member: Sendable, Equatable {
        public var path: String
        public var size: UInt64
        public var sha256: String
        public var format: String
        public var compression: CompressionFormat?
        public var packets: UInt64
        public var firstTime: Int64?
        public var lastTime: Int64?
    }
}

extension CaptureSet: PacketSource {}
