import PortScopeDecode

/// Idle timeouts after which a packet with the same key starts a new flow.
public struct FlowTimeouts: Sendable {
    /// Nanoseconds of silence that end a TCP flow.
    public var tcp: Int64
    /// Nanoseconds of silence that end a UDP, SCTP, ICMP or other flow.
    public var other: Int64

    /// TCP 5 minutes (as nfdump and most NetFlow exporters), others 2 minutes.
    public static let standard = FlowTimeouts(tcp: 300_000_000_000, other: 120_000_000_000)

    public init(tcp: Int64, other: Int64) {
        self.tcp = tcp
        self.other = other
    }
}

/// Counts of IP packets the tracker could not place in a flow.
public struct FlowTrackerStatistics: Sendable, Equatable {
    /// TCP/UDP/SCTP packets whose ports were not captured (also counted as a decode issue).
    public var withoutPorts: UInt64 = 0
    /// Non-first fragments joined to the flow of their first fragment.
    public var fragmentsJoined: UInt64 = 0
    /// Non-first fragments whose first fragment was not seen (or came later).
    public var fragmentsUnjoined: UInt64 = 0
    public init() {}
}

/// Turns decoded packets into flows: finds or starts the flow, splits on port reuse and idle
/// timeouts, joins non-first fragments to the flow of their first fragment.
public struct FlowTracker: ~Copyable {
    public private(set) var table: FlowTable
    public var timeouts: FlowTimeouts
    public private(set) var statistics = FlowTrackerStatistics()
    private var fragments: FragmentCache

    public init(timeouts: FlowTimeouts = .standard, expectedFlows: Int = 4096) {
        self.timeouts = timeouts
        table = FlowTable(expectedFlows: expectedFlows)
        fragments = FragmentCache()
    }

    /// Accounts one decoded packet of `wireLength` bytes seen at `time` (ns). Packets without an
    /// IP header are ignored here (the capture's totals count them).
    public mutating func add(_ packet: DecodedPacket, wireLength: UInt32, time: Int64) {
        guard packet.ipVersion != 0 else { return }
        if packet.fragment.isNonFirst {
            joinFragment(packet, wireLength: wireLength, time: time)
            return
        }
        let proto = packet.ipProtocol
        if proto.hasPorts && !packet.hasPorts {
            statistics.withoutPorts += 1
            return
        }
        let (key, side) = FlowKey.canonical(proto: proto, source: packet.source, sourcePort: packet.sourcePort,
                                            destination: packet.destination, destinationPort: packet.destinationPort)
        var index: Int
        if let found = table.find(key) {
            index = found
            let idle = proto == .tcp ? timeouts.tcp : timeouts.other
            if time - table[found].lastTime > idle {
                table[found].end = .idle
                index = table.insert(FlowRecord(key: key, firstSender: side))
            } else if proto == .tcp && packet.hasTCPFlags && packet.tcpFlags.isPureSYN
                        && startsNewConnection(table[found], side: side, sequence: packet.tcpSequence) {
                table[found].end = .reused
                index = table.insert(FlowRecord(key: key, firstSender: side))
            }
        } else {
            index = table.insert(FlowRecord(key: key, firstSender: side))
        }
        update(index, packet, side: side, wireLength: wireLength, time: time)
        if packet.fragment.isFragment {
            fragments.remember(packet, flow: index, side: side, time: time)
        }
    }

    /// A pure SYN on an existing flow starts a new connection when the old one was closed, when
    /// its sender already opened this flow with another initial sequence number, or when the
    /// flow was picked up mid-stream (no handshake seen) and has carried packets.
    private func startsNewConnection(_ flow: FlowRecord, side: FlowSide, sequence: UInt32) -> Bool {
        if flow.isClosed { return true }
        if let sender = flow.synSender { return sender == side && flow.synSequence != sequence }
        return flow.synAckSender == nil
    }

    private mutating func update(_ index: Int, _ packet: DecodedPacket, side: FlowSide, wireLength: UInt32, time: Int64) {
        table[index].withDirection(side) { $0.add(bytes: wireLength, at: time) }
        let proto = packet.ipProtocol
        if proto == .tcp && packet.hasTCPFlags {
            let flags = packet.tcpFlags
            table[index].withDirection(side) { $0.tcpFlags.formUnion(flags) }
            var flow = table[index]
            if flags.isPureSYN && flow.synSender == nil {
                flow.synSender = side
                flow.synSequence = packet.tcpSequence
            }
            if flags.isSYNACK && flow.synAckSender == nil { flow.synAckSender = side }
            if !flow.handshakeCompleted, let client = flow.synSender, client == side,
               flow.synAckSender == client.other, flags.contains(.ack), !flags.contains(.syn) {
                flow.handshakeCompleted = true
            }
            if flags.contains(.fin) {
                if side == .a { flow.finFromA = true } else { flow.finFromB = true }
            }
            if flags.contains(.rst) { flow.reset = true }
            table[index] = flow
        } else if (proto == .icmp || proto == .icmpv6) && table[index].packets == 1 {
            table[index].icmpType = packet.icmpType
            table[index].icmpCode = packet.icmpCode
        }
    }

    private mutating func joinFragment(_ packet: DecodedPacket, wireLength: UInt32, time: Int64) {
        guard let (index, firstSide) = fragments.lookup(packet, time: time), index < table.count,
              table[index].end == .open else {
            statistics.fragmentsUnjoined += 1
            return
        }
        statistics.fragmentsJoined += 1
        table[index].withDirection(firstSide) { $0.add(bytes: wireLength, at: time) }
        table[index].fragmentPackets += 1
        table[index].fragmentBytes += UInt64(wireLength)
    }
}

extension FlowRecord {
    @inline(__always)
    mutating func withDirection(_ side: FlowSide, _ body: (inout DirectionCounters) -> Void) {
        if side == .a { body(&fromA) } else { body(&fromB) }
    }
}
