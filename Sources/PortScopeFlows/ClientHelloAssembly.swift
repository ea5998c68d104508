import PortScopeDecode

/// ClientHellos longer than their first segment (post-quantum key shares make them about
/// 1.8 KB, more than one Ethernet frame), joined from the segments that directly follow so the
/// whole hello can be read: its SNI and ALPN wherever they lie, and its fingerprint.
///
/// A fixed set of slots allocated once: a slot is held only from a hello's first segment to the
/// segment that completes it, normally microseconds later, so a few serve thousands of flows.
/// When every slot is taken, the one waiting longest is given up (its flow keeps what its first
/// segment showed). Allocates nothing after `init`.
struct ClientHelloAssembly: ~Copyable {
    /// The longest record TLS allows (2^14 bytes and its 5-byte header); longer is no hello.
    static let slotSize = 5 + 16_384
    static let slotCount = 16

    private struct Slot {
        var key: FlowKey?
        var side: FlowSide = .a
        /// The sequence number the next segment must have.
        var nextSequence: UInt32 = 0
        var filled = 0
        var needed = 0
        /// When the slot was taken, in packets added (for giving up the oldest).
        var taken: UInt64 = 0
    }

    private var slots: [Slot]
    private let storage: UnsafeMutableRawBufferPointer
    private var clock: UInt64 = 0

    init(enabled: Bool) {
        slots = Array(repeating: Slot(), count: enabled ? Self.slotCount : 0)
        storage = .allocate(byteCount: enabled ? Self.slotCount * Self.slotSize : 0, alignment: 8)
    }

    deinit { storage.deallocate() }

    /// Starts joining a hello whose record ends at `recordEnd` (from the payload's start) past
    /// `payload`, sent by `side` of the flow `key` in a segment with TCP `sequence`. False when
    /// it cannot be joined.
    mutating func start(_ payload: UnsafeRawBufferPointer, recordEnd: Int, key: FlowKey, side: FlowSide,
                        sequence: UInt32) -> Bool {
        guard !slots.isEmpty, recordEnd > payload.count, recordEnd <= Self.slotSize else { return false }
        release(key, side)
        clock += 1
        var chosen = 0
        for i in slots.indices {
            if slots[i].key == nil { chosen = i; break }
            if slots[i].taken < slots[chosen].taken { chosen = i }
        }
        let next = sequence &+ UInt32(truncatingIfNeeded: payload.count)
        slots[chosen] = Slot(key: key, side: side, nextSequence: next, filled: payload.count, needed: recordEnd, taken: clock)
        UnsafeMutableRawBufferPointer(rebasing: storage[(chosen * Self.slotSize)...]).copyMemory(from: payload)
        return true
    }

    /// What a segment that may carry on a hello brought.
    enum Continuation {
        /// It did not continue one (another sequence number, or the slot was given up).
        case none
        /// The hello goes on in the next segment.
        case pending
        /// The hello is whole: its bytes from the record header, valid until `release`.
        case complete(UnsafeRawBufferPointer)
    }

    /// Adds `payload`, sent by `side` of `key` with TCP `sequence`, to the hello waiting for it.
    /// A segment that is not the one expected ends the wait.
    mutating func extend(_ payload: UnsafeRawBufferPointer, key: FlowKey, side: FlowSide, sequence: UInt32?) -> Continuation {
        guard let i = slots.firstIndex(where: { $0.key == key && $0.side == side }) else { return .none }
        guard let sequence, sequence == slots[i].nextSequence else {
            slots[i].key = nil
            return .none
        }
        let base = i * Self.slotSize
        let take = min(payload.count, slots[i].needed - slots[i].filled)
        UnsafeMutableRawBufferPointer(rebasing: storage[(base + slots[i].filled)...])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: payload[..<take]))
        slots[i].filled += take
        slots[i].nextSequence = sequence &+ UInt32(truncatingIfNeeded: payload.count)
        if slots[i].filled < slots[i].needed { return .pending }
        return .complete(UnsafeRawBufferPointer(rebasing: storage[base..<(base + slots[i].filled)]))
    }

    /// Frees the slot of the hello `side` of `key` was sending, if any.
    mutating func release(_ key: FlowKey, _ side: FlowSide) {
        for i in slots.indices where slots[i].key == key && slots[i].side == side { slots[i].key = nil }
    }
}
