import PortScopeDecode

/// Remembers recent first fragments — (source, destination, protocol, identification) → flow
/// key — so later fragments of the same datagram can join that flow. Keys, not table indices,
/// so the table may drop stored flows in between. Fixed size and direct-mapped: a colliding
/// datagram overwrites an older one; entries older than `lifetime` are ignored.
struct FragmentCache: ~Copyable {
    private struct Entry {
        /// The flow of the first fragment; its sender was `side`.
        var key: FlowKey
        var side: FlowSide
        var identification: UInt32
        var time: Int64
        var used: Bool
    }

    private static let size = 4096
    /// RFC 791's suggested reassembly timeout upper bound is 15 s; Linux uses 30 s.
    private static let lifetime: Int64 = 30_000_000_000
    private let entries: UnsafeMutablePointer<Entry>

    init() {
        entries = .allocate(capacity: FragmentCache.size)
        let unused = FlowKey(proto: .hopByHop, addressA: .zero, portA: 0, addressB: .zero, portB: 0)
        entries.initialize(repeating: Entry(key: unused, side: .a, identification: 0, time: 0, used: false),
                           count: FragmentCache.size)
    }

    deinit { entries.deallocate() }

    private func slot(_ packet: DecodedPacket) -> Int {
        var h = packet.source.low &* 0x9E37_79B9_7F4A_7C15 ^ packet.destination.low
        h = (h ^ UInt64(packet.fragment.identification) ^ packet.source.high ^ packet.destination.high) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h >> 40) & (FragmentCache.size - 1)
    }

    /// Notes the first fragment `packet`, sent by `side` of the flow `key`.
    func remember(_ packet: DecodedPacket, key: FlowKey, side: FlowSide, time: Int64) {
        entries[slot(packet)] = Entry(key: key, side: side, identification: packet.fragment.identification,
                                      time: time, used: true)
    }

    /// The flow key and sending side of the first fragment of `packet`'s datagram, when seen
    /// within the lifetime, and when it was seen.
    func lookup(_ packet: DecodedPacket, time: Int64) -> (key: FlowKey, side: FlowSide, firstSeen: Int64)? {
        let e = entries[slot(packet)]
        guard e.used, e.key.proto == packet.ipProtocol, e.identification == packet.fragment.identification,
              e.key.address(e.side) == packet.source, e.key.address(e.side.other) == packet.destination,
              nanosecondsBetween(e.time, time) <= FragmentCache.lifetime else { return nil }
        return (e.key, e.side, e.time)
    }
}
