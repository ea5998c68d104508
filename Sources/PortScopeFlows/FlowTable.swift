import PortScopeDecode

/// The flows in memory in one array, oldest first, with an open-addressing index (linear
/// probing) over the flows still open. Owns its memory: no class, no reference counting per
/// packet. Growth doubles both arrays, so allocation happens O(log n) times per capture;
/// `removeEnded()` drops flows once they are stored for good.
public struct FlowTable: ~Copyable {
    private var records: UnsafeMutablePointer<FlowRecord>
    private var recordCapacity: Int
    public private(set) var count = 0
    /// Index slots hold a record index, or -1 when empty.
    private var slots: UnsafeMutablePointer<Int32>
    private var slotMask: Int
    private var occupied = 0

    public init(expectedFlows: Int = 4096) {
        recordCapacity = max(16, expectedFlows)
        records = .allocate(capacity: recordCapacity)
        var slotCount = 32
        while slotCount < recordCapacity * 2 { slotCount <<= 1 }
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: -1, count: slotCount)
        slotMask = slotCount - 1
    }

    deinit {
        records.deinitialize(count: count)
        records.deallocate()
        slots.deallocate()
    }

    /// The flow at `index`, read and mutated where it lies. Addressors, not `_read`/`_modify`
    /// coroutines: unoptimized builds heap-allocate coroutine frames, once per packet.
    public subscript(index: Int) -> FlowRecord {
        unsafeAddress { UnsafePointer(records + index) }
        nonmutating unsafeMutableAddress { records + index }
    }

    /// The flows, oldest first; valid only during the call.
    public func withFlows<R, E: Error>(_ body: (UnsafeBufferPointer<FlowRecord>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: records, count: count))
    }

    /// The flows, oldest first, to update in place (keys must not change); valid only during the call.
    public mutating func withMutableFlows<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<FlowRecord>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeMutableBufferPointer(start: records, count: count))
    }

    /// Drops every ended flow (idle or reused), keeping the order of the rest, and rebuilds the
    /// index over the open ones. O(flows); called after ended flows are stored. Returns where
    /// each flow went: its new index, or -1 when it was dropped.
    public mutating func removeEnded() -> [Int32] {
        var kept = 0
        var newIndex = [Int32](repeating: -1, count: count)
        for index in 0..<count {
            if records[index].end == .open {
                if kept != index { (records + kept).moveInitialize(from: records + index, count: 1) }
                newIndex[index] = Int32(kept)
                kept += 1
            } else {
                (records + index).deinitialize(count: 1)
            }
        }
        count = kept
        slots.update(repeating: -1, count: slotMask + 1)
        for index in 0..<count { place(Int32(index), in: slots, mask: slotMask) }
        occupied = count
        return newIndex
    }

    /// The index of the open flow with this key, if any.
    public func find(_ key: FlowKey) -> Int? {
        var slot = Int(truncatingIfNeeded: key.mixedHash) & slotMask
        while true {
            let index = slots[slot]
            if index < 0 { return nil }
            if records[Int(index)].key == key { return Int(index) }
            slot = (slot + 1) & slotMask
        }
    }

    /// Adds a new flow as the open flow of its key (replacing any earlier one in the index,
    /// which stays in the array as an ended flow). Returns its index.
    public mutating func insert(_ record: FlowRecord) -> Int {
        if count == recordCapacity { growRecords() }
        if (occupied + 1) * 2 > slotMask + 1 { growSlots() }
        let index = count
        (records + index).initialize(to: record)
        count += 1
        var slot = Int(truncatingIfNeeded: record.key.mixedHash) & slotMask
        while true {
            let existing = slots[slot]
            if existing < 0 {
                slots[slot] = Int32(index)
                occupied += 1
                return index
            }
            if records[Int(existing)].key == record.key {
                slots[slot] = Int32(index)
                return index
            }
            slot = (slot + 1) & slotMask
        }
    }

    private mutating func growRecords() {
        let capacity = recordCapacity * 2
        let grown = UnsafeMutablePointer<FlowRecord>.allocate(capacity: capacity)
        grown.moveInitialize(from: records, count: count)
        records.deallocate()
        records = grown
        recordCapacity = capacity
    }

    private mutating func growSlots() {
        let slotCount = (slotMask + 1) * 2
        let grown = UnsafeMutablePointer<Int32>.allocate(capacity: slotCount)
        grown.initialize(repeating: -1, count: slotCount)
        let mask = slotCount - 1
        for old in 0...slotMask where slots[old] >= 0 { place(slots[old], in: grown, mask: mask) }
        slots.deallocate()
        slots = grown
        slotMask = mask
    }

    /// Puts a record index, whose key is not yet in `index`, into the first free slot.
    private func place(_ record: Int32, in index: UnsafeMutablePointer<Int32>, mask: Int) {
        var slot = Int(truncatingIfNeeded: records[Int(record)].key.mixedHash) & mask
        while index[slot] >= 0 { slot = (slot + 1) & mask }
        index[slot] = record
    }
}
