import PortScopeDecode

/// Packets, bytes and times of one direction of a flow.
public struct DirectionCounters: Sendable, Equatable {
    public var packets: UInt64 = 0
    /// Sum of original (wire) lengths.
    public var bytes: UInt64 = 0
    public var first: Int64 = 0
    public var last: Int64 = 0
    /// Union of the TCP flags sent this way.
    public var tcpFlags: TCPFlags = []
    /// Sum of the IP packets' lengths as their headers declare them (Zeek's `orig_ip_bytes`).
    public var ipBytes: UInt64 = 0
    /// Sum of the transport payloads' lengths on the wire (Zeek's `orig_bytes`, counted per
    /// packet: retransmitted bytes count again).
    public var payloadBytes: UInt64 = 0

    @inlinable public init() {}

    /// Counts a packet; out of time order (a merged or reordered capture), it may move `first`
    /// back, never `last`.
    @inlinable
    mutating func add(bytes length: UInt32, ip: Int, payload: Int, at time: Int64) {
        if packets == 0 {
            first = time
            last = time
        } else {
            first = min(first, time)
            last = max(last, time)
        }
        packets += 1
        bytes += UInt64(length)
        ipBytes += UInt64(ip)
        payloadBytes += UInt64(payload)
    }
}

/// Why a flow ended.
public enum FlowEnd: UInt8, Sendable {
    /// Still open when the capture ended (or at a flush).
    case open
    /// No packet for longer than the idle timeout.
    case idle
    /// A new connection (SYN after FIN/RST, or a new initial sequence number) reused its ports.
    case reused
    /// Stored early to keep memory under `--max-flows`; later packets start a new flow.
    case evicted
}

/// Everything PortScope keeps about one flow. A plain value stored in the flow table's array.
public struct FlowRecord: Sendable {
    public var key: FlowKey
    /// Counters for packets sent by side A (to B) and by side B (to A).
    public var fromA = DirectionCounters()
    public var fromB = DirectionCounters()
    /// The side that sent the first packet seen.
    public var firstSender: FlowSide
    /// TCP: the side that sent the first pure SYN, and its initial sequence number.
    public var synSender: FlowSide?
    public var synSequence: UInt32 = 0
    /// TCP: the side that sent the first SYN-ACK.
    public var synAckSender: FlowSide?
    /// TCP: the SYN sender acknowledged the SYN-ACK (three-way handshake seen whole).
    public var handshakeCompleted = false
    /// TCP: FIN seen from A / from B, or RST from either: a SYN after this is a new connection.
    public var finFromA = false
    public var finFromB = false
    public var reset = false
    /// Non-first IP fragments joined to this flow by their first fragment (they carry no ports).
    public var fragmentPackets: UInt64 = 0
    /// ICMP / ICMPv6: type and code of the first packet.
    public var icmpType: UInt8 = 0
    public var icmpCode: UInt8 = 0
    public var end: FlowEnd = .open
    /// What the payload said: protocol, confidence, server, name.
    public var app = AppDetection()
    /// The connection as Zeek would log it: originator, endpoint states, history.
    public var connection: ConnectionTrack
    /// Whether a packet went to a group: an IP multicast or broadcast address, or a link-layer
    /// broadcast or multicast (a directed broadcast). Such an end is no host: never a server or
    /// a client.
    public var toGroup = false
    /// Its packets and bytes over time, not yet stored (`TimeBuckets`).
    public var buckets = FlowBuckets()
    /// The host's process that held the flow's local end (`live` on Linux), once looked up.
    public var localProcess: LocalProcess?
    /// The database row this flow was written to, once it has been.
    public var row: FlowRow?
    /// Whether a `ServiceSideInference` has learned this flow's fan-in (its key never changes,
    /// so once is enough).
    public var fanInLearned = false
    /// Whether its row was chosen to be written while the capture is still read (`SettledFlows`),
    /// so it is not chosen again.
    public var settled = false

    @inlinable
    public init(key: FlowKey, firstSender: FlowSide) {
        self.key = key
        self.firstSender = firstSender
        connection = ConnectionTrack(firstPacketFrom: firstSender, synAck: false)
    }

    @inlinable public func counters(_ side: FlowSide) -> DirectionCounters { side == .a ? fromA : fromB }
    @inlinable public var packets: UInt64 { fromA.packets + fromB.packets }
    @inlinable public var bytes: UInt64 { fromA.bytes + fromB.bytes }
    @inlinable public var firstTime: Int64 {
        fromA.packets == 0 ? fromB.first : fromB.packets == 0 ? fromA.first : min(fromA.first, fromB.first)
    }
    @inlinable public var lastTime: Int64 { max(fromA.last, fromB.last) }
    @inlinable public var isClosed: Bool { reset || (finFromA && finFromB) }
    /// TCP: the server the handshake names, the first SYN's receiver or else the SYN-ACK's sender.
    @inlinable public var handshakeServer: FlowSide? { synSender?.other ?? synAckSender }
    /// Whether the protocol has ports (TCP, UDP, SCTP).
    @inlinable public var hasPorts: Bool { key.proto.hasPorts }
    /// Whether the flow has no row yet, or changed since its row was written.
    @inlinable public var needsWrite: Bool {
        guard let row else { return true }
        return row.packets != packets || row.end != end
    }
    /// Whether its figures are not yet in the capture's aggregates: it has no row, or its row
    /// was written while the capture was read (`SettledFlows`), without them.
    @inlinable public var needsAggregates: Bool { row?.aggregated != true }
}

/// Where a flow was written, so a later flush updates that row instead of adding one.
public struct FlowRow: Sendable, Equatable {
    public var id: Int64
    /// The packets the row holds; a flow with more has changed since.
    public var packets: UInt64
    /// The service side the row was written with.
    public var side: ServiceSide
    /// How the row says the flow ended; a flow ended since has changed.
    public var end: FlowEnd
    /// Whether the capture's aggregates (`host_services`) hold the row's figures, so a change
    /// moves them (an update); else the row is written whole again and summed as a new one.
    public var aggregated: Bool

    public init(id: Int64, packets: UInt64, side: ServiceSide, end: FlowEnd, aggregated: Bool) {
        self.id = id
        self.packets = packets
        self.side = side
        self.end = end
        self.aggregated = aggregated
    }
}

/// A process of the capturing host at one end of a flow: its id and command (in `FlowNames`).
public struct LocalProcess: Sendable, Equatable {
    public var pid: Int32
    public var command: NameRef

    public init(pid: Int32, command: NameRef) {
        self.pid = pid
        self.command = command
    }
}
