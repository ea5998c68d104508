import PortScopeDecode

/// Every flow of a capture in one array, with an open-addressing index (linear probing) over
/// the flows still open. Owns its memory: no class, no reference counting per packet.
/// Growth doubles both arrays, so allocation happens O(log n) times per capture.
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

    public subscript(index: Int) -> FlowRecord {
        _read { yield records[index] }
        nonmutating _modify { yield &records[index] }
    }

    /// The flows, oldest first; valid only during the call.
    public func withFlows<R, E: Error>(_ body: (UnsafeBufferPointer<FlowRecord>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: records, count: count))
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
        for old in 0...slotMask where slots[old] >= 0 {
            let index = slots[old]
            var slot = Int(truncatingIfNeeded: records[Int(index)].key.mixedHash) & mask
            while grown[slot] >= 0 { slot = (slot + 1) & mask }
            grown[slot] = index
        }
        slots.deallocate()
        slots = grown
        slotMask = mask
    }
}
