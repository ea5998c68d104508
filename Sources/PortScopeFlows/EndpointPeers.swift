import PortScopeDecode

/// Per endpoint (protocol, address, port): the one peer port it was seen with, or `manyPeers`
/// once a second, different one was seen: the port fan-in behind `ServiceSideInference`.
/// An open-addressing table (linear probing, power-of-two slots, at most three quarters full,
/// 24-byte slots: a Dictionary's memory) with a multiply-xorshift hash: both ends of every flow of a capture are noted and
/// looked up, and a Dictionary's SipHash per operation was most of planning a large flush.
struct EndpointPeers: Sendable {
    struct Endpoint: Equatable {
        var address: IPAddress
        var port: UInt16
        var proto: IPProtocol
    }

    /// A peer port (0…65535), `manyPeers`, or `empty`.
    private struct Slot {
        var endpoint: Endpoint
        var peers: UInt32
    }

    static let manyPeers: UInt32 = 0x1_0000
    private static let empty = UInt32.max

    private var slots: [Slot]
    private(set) var count = 0

    /// A table for `capacity` endpoints before it grows.
    init(capacity: Int = 16) {
        slots = Self.emptySlots(for: capacity)
    }

    private static func emptySlots(for capacity: Int) -> [Slot] {
        var size = 16
        while 3 * size < 4 * capacity { size *= 2 }
        return Array(repeating: Slot(endpoint: Endpoint(address: .zero, port: 0, proto: IPProtocol(rawValue: 0)), peers: empty),
                     count: size)
    }

    /// Notes `endpoint` seen with peer port `peer`.
    mutating func note(_ endpoint: Endpoint, peer: UInt16) {
        if 4 * (count + 1) > 3 * slots.count { rehash(capacity: 2 * (count + 1)) }
        let index = find(endpoint)
        if slots[index].peers == Self.empty {
            slots[index] = Slot(endpoint: endpoint, peers: UInt32(peer))
            count += 1
        } else if slots[index].peers != UInt32(peer) {
            slots[index].peers = Self.manyPeers
        }
    }

    /// Whether `endpoint` was seen with more than one peer port.
    func hasManyPeers(_ endpoint: Endpoint) -> Bool {
        slots[find(endpoint)].peers == Self.manyPeers
    }

    /// Keeps only the endpoints seen with many peer ports.
    mutating func keepManyPeers() {
        let kept = slots.filter { $0.peers == Self.manyPeers }
        slots = Self.emptySlots(for: kept.count)
        count = 0
        for slot in kept { insertNew(slot) }
    }

    private mutating func rehash(capacity: Int) {
        let old = slots
        slots = Self.emptySlots(for: capacity)
        count = 0
        for slot in old where slot.peers != Self.empty { insertNew(slot) }
    }

    private mutating func insertNew(_ slot: Slot) {
        slots[find(slot.endpoint)] = slot
        count += 1
    }

    /// The slot holding `endpoint`, or the empty one where it goes.
    private func find(_ endpoint: Endpoint) -> Int {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: Self.hash(endpoint)) & mask
        return slots.withUnsafeBufferPointer { slots in
            while slots[index].peers != Self.empty && slots[index].endpoint != endpoint { index = (index + 1) & mask }
            return index
        }
    }

    private static func hash(_ e: Endpoint) -> UInt64 {
        var h = e.address.high &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ e.address.low ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (UInt64(e.port) << 8 | UInt64(e.proto.rawValue)) ^ (h >> 32)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
