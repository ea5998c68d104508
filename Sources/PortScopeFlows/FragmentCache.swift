import PortScopeDecode

/// Remembers recent first fragments — (source, destination, protocol, identification) → flow —
/// so later fragments of the same datagram can join that flow. Fixed size and direct-mapped:
/// a colliding datagram overwrites an older one; entries older than `lifetime` are ignored.
struct FragmentCache: ~Copyable {
    private struct Entry {
        var source: IPAddress
        var destination: IPAddress
        var identification: UInt32
        var proto: IPProtocol
        var side: FlowSide
        var flow: Int32
        var time: Int64
    }

    private static let size = 4096
    /// RFC 791's suggested reassembly timeout upper bound is 15 s; Linux uses 30 s.
    private static let lifetime: Int64 = 30_000_000_000
    private let entries: UnsafeMutablePointer<Entry>

    init() {
        entries = .allocate(capacity: FragmentCache.size)
        entries.initialize(repeating: Entry(source: .zero, destination: .zero, identification: 0, proto: .hopByHop,
                                            side: .a, flow: -1, time: 0), count: FragmentCache.size)
    }

    deinit { entries.deallocate() }

    private func slot(_ packet: DecodedPacket) -> Int {
        var h = packet.source.low &* 0x9E37_79B9_7F4A_7C15 ^ packet.destination.low
        h = (h ^ UInt64(packet.fragment.identification) ^ packet.source.high ^ packet.destination.high) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h >> 40) & (FragmentCache.size - 1)
    }

    func remember(_ packet: DecodedPacket, flow: Int, side: FlowSide, time: Int64) {
        entries[slot(packet)] = Entry(source: packet.source, destination: packet.destination,
                                      identification: packet.fragment.identification, proto: packet.ipProtocol,
                                      side: side, flow: Int32(flow), time: time)
    }

    func lookup(_ packet: DecodedPacket, time: Int64) -> (Int, FlowSide)? {
        let e = entries[slot(packet)]
        guard e.flow >= 0, e.source == packet.source, e.destination == packet.destination,
              e.identification == packet.fragment.identification, e.proto == packet.ipProtocol,
              time - e.time <= FragmentCache.lifetime else { return nil }
        return (Int(e.flow), e.side)
    }
}
