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

/// `later - earlier` in nanoseconds, held at the bounds: a file's timestamps can be anything
/// (fuzzing found a pcapng whose gap between two packets overflowed), and time arithmetic must
/// not trap.
@inline(__always)
func nanosecondsBetween(_ earlier: Int64, _ later: Int64) -> Int64 {
    let (gap, overflow) = later.subtractingReportingOverflow(earlier)
    return overflow ? (later > earlier ? .max : .min) : gap
}

/// Counts of IP packets the tracker could not place in a flow.
public struct FlowTrackerStatistics: Sendable, Equatable {
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
    /// The flows' names (TLS SNI, HTTP Host, ALPN lists).
    public private(set) var names: FlowNames
    /// Whether payloads are examined for their protocol (`PayloadDetector`).
    public let detectsProtocols: Bool
    /// The flows' traffic over time.
    public private(set) var buckets: TimeBuckets
    private var fragments: FragmentCache
    private var hellos: ClientHelloAssembly
    private let fingerprinter: JA4Fingerprinter

    /// `bucketWidth`: nanoseconds per time bucket, or nil to choose from the capture's span.
    public init(timeouts: FlowTimeouts = .standard, expectedFlows: Int = 4096, detectsProtocols: Bool = true,
                bucketWidth: Int64? = nil) {
        self.timeouts = timeouts
        buckets = TimeBuckets(width: bucketWidth)
        self.detectsProtocols = detectsProtocols
        table = FlowTable(expectedFlows: expectedFlows)
        names = FlowNames(capacity: expectedFlows * 16)
        fragments = FragmentCache()
        hellos = ClientHelloAssembly(enabled: detectsProtocols)
        fingerprinter = JA4Fingerprinter()
    }

    /// Accounts one decoded packet of `wireLength` bytes seen at `time` (ns); `bytes` are the
    /// captured bytes `packet` was decoded from. Packets without an IP header are ignored here
    /// (the capture's totals count them).
    public mutating func add(_ packet: DecodedPacket, bytes: UnsafeRawBufferPointer, wireLength: UInt32, time: Int64) {
        guard packet.ipVersion != 0 else { return }
        if packet.fragment.isNonFirst {
            joinFragment(packet, wireLength: wireLength, time: time)
            return
        }
        let proto = packet.ipProtocol
        // A TCP/UDP/SCTP header cut before its ports: counted by its decode issue, in no flow.
        if proto.hasPorts && !packet.hasPorts { return }
        let (key, side) = FlowKey.canonical(proto: proto, source: packet.source, sourcePort: packet.sourcePort,
                                            destination: packet.destination, destinationPort: packet.destinationPort)
        var index: Int
        if let found = table.find(key) {
            index = found
            let idle = proto == .tcp ? timeouts.tcp : timeouts.other
            // Silent too long, or a packet from further back in time than that (a capture whose
            // clock jumped back, files merged out of order): another flow.
            let gap = nanosecondsBetween(table[found].lastTime, time)
            if gap > idle || gap < -idle {
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
        table[index].account(packet, from: side, wireLength: wireLength, time: time)
        buckets.count(table, index, bytes: wireLength, at: time)
        // A first fragment holds a datagram's first bytes: UDP's length says how many more follow, so
        // it is judged as a payload cut short; a TCP segment's own length is unknown there.
        let pieceOfDatagram = packet.fragment.moreFragments && proto != .udp
        if detectsProtocols && packet.payloadLength > 0 && (proto == .tcp || proto == .udp) && !pieceOfDatagram
            && (table[index].app.wants(side) || table[index].app.helloSender == side) {
            let payload = UnsafeRawBufferPointer(rebasing: bytes[packet.payloadOffset..<(packet.payloadOffset + packet.payloadLength)])
            let context = PayloadContext(transport: proto, sourcePort: packet.sourcePort, destinationPort: packet.destinationPort,
                                         wireLength: packet.payloadWireLength)
            // A segment captured whole can carry on a ClientHello from the previous one.
            let sequence = proto == .tcp && packet.hasTCPFlags && bytes.count >= Int(wireLength) ? packet.tcpSequence : nil
            var app = table[index].app
            examine(payload, of: &app, key: key, from: side, knownServer: table[index].handshakeServer, sequence: sequence,
                    cut: packet.payloadLength < packet.payloadWireLength, context: context)
            table[index].app = app
        }
        if packet.fragment.isFragment {
            fragments.remember(packet, key: key, side: side, time: time)
        }
        if let quoted = packet.quoted { refuse(quoted) }
    }

    /// Runs payload detection on one payload of a flow. A ClientHello longer than its segment is
    /// joined with the segments that directly follow and examined whole once complete.
    private mutating func examine(_ payload: UnsafeRawBufferPointer, of app: inout AppDetection, key: FlowKey, from side: FlowSide,
                                  knownServer: FlowSide?, sequence: UInt32?, cut: Bool, context: PayloadContext) {
        if app.helloSender == side {
            app.awaitHello(from: nil)
            switch hellos.extend(payload, key: key, side: side, sequence: sequence) {
            case .pending:
                app.awaitHello(from: side)
                return
            case .complete(let hello):
                if let found = app.examine(hello, from: side, knownServer: knownServer, cut: false, context: context) {
                    keep(found, of: hello, in: &app)
                }
                hellos.release(key, side)
                return
            case .none:
                break
            }
        }
        guard let found = app.examine(payload, from: side, knownServer: knownServer, cut: cut, context: context) else { return }
        keep(found, of: payload, in: &app)
        if let end = found.helloRecordEnd, end > payload.count, let sequence,
           hellos.start(payload, recordEnd: end, key: key, side: side, sequence: sequence) {
            app.awaitHello(from: side)
        }
    }

    /// Keeps the name, ALPN list and, from a whole ClientHello, the JA4 that `found` (a winning
    /// detection in `payload`) brings, where the flow lacks them.
    private mutating func keep(_ found: PayloadDetection, of payload: UnsafeRawBufferPointer, in app: inout AppDetection) {
        app.keepNames(of: found, from: payload, in: &names)
        guard app.ja4 == nil, found.proto == .tls, let end = found.helloRecordEnd, end <= payload.count,
              let hello = TLSClientHello(payload) else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: JA4Fingerprinter.length) { out in
            fingerprinter.fingerprint(hello, in: payload, into: out)
            app.ja4 = names.append(UnsafeRawBufferPointer(out), 0..<JA4Fingerprinter.length, form: .text)
        }
    }

    /// An ICMP destination unreachable quoting a packet of an open flow: that flow was refused
    /// (a closed UDP port answers so). The ICMP packet itself stays in its own flow.
    private mutating func refuse(_ quoted: QuotedPacket) {
        let (key, side) = FlowKey.canonical(proto: quoted.proto, source: quoted.source, sourcePort: quoted.sourcePort,
                                            destination: quoted.destination, destinationPort: quoted.destinationPort)
        guard let index = table.find(key), table[index].end == .open else { return }
        table[index].connection.refused(to: side)
    }

    /// A pure SYN on an existing flow starts a new connection when the old one was closed, when
    /// its sender already opened this flow with another initial sequence number, or when the
    /// flow was picked up mid-stream (no handshake seen) and has carried packets.
    private func startsNewConnection(_ flow: FlowRecord, side: FlowSide, sequence: UInt32) -> Bool {
        if flow.isClosed { return true }
        if let sender = flow.synSender { return sender == side && flow.synSequence != sequence }
        return flow.synAckSender == nil
    }

    /// Ends (as idle) every open flow silent for longer than its timeout at `now` (ns), so
    /// the next flush stores it for good and `removeEnded()` frees it.
    public mutating func expireIdle(now: Int64) {
        let timeouts = self.timeouts
        table.withMutableFlows { flows in
            for i in flows.indices where flows[i].end == .open {
                let idle = flows[i].key.proto == .tcp ? timeouts.tcp : timeouts.other
                if nanosecondsBetween(flows[i].lastTime, now) > idle { flows[i].end = .idle }
            }
        }
    }

    /// Ends (as `evicted`) the quarter of the open flows silent the longest, so that the flush
    /// that must follow stores them for good and `removeEnded()` frees them; a later packet of one
    /// starts a new flow. Returns how many. O(n log n) in the flows held, once per quarter of them.
    public mutating func evictOldest() -> Int {
        var times: [Int64] = []
        times.reserveCapacity(table.count)
        table.withFlows { flows in for flow in flows where flow.end == .open { times.append(flow.lastTime) } }
        guard !times.isEmpty else { return 0 }
        let quota = max(1, times.count / 4)
        times.sort()
        let threshold = times[quota - 1]
        var evicted = 0
        table.withMutableFlows { flows in
            for i in flows.indices where evicted < quota && flows[i].end == .open && flows[i].lastTime <= threshold {
                flows[i].end = .evicted
                evicted += 1
            }
        }
        return evicted
    }

    /// The flows in memory, to update in place (their keys must not change), and their names.
    public mutating func withMutableFlows<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<FlowRecord>, borrowing FlowNames) throws(E) -> R) throws(E) -> R {
        try table.withMutableFlows { flows throws(E) in try body(flows, names) }
    }

    /// Names the local process of the flows from index `start` on that have none, with what
    /// `resolve` finds for each flow's key (the host's socket tables: `live`). Returns the number
    /// of flows, where the next call can start.
    public mutating func attributeProcesses(from start: Int, _ resolve: (FlowKey) -> (pid: Int32, command: String)?) -> Int {
        let count = table.count
        for index in min(start, count)..<count where table[index].localProcess == nil {
            guard let found = resolve(table[index].key), let command = names.append(found.command) else { continue }
            table[index].localProcess = LocalProcess(pid: found.pid, command: command)
        }
        return count
    }

    /// After the flush of `plan` committed (`rowIDs`: its new rows' ids, as
    /// `FlushPlan.recordWritten` takes them): each flow remembers its row and side, and the
    /// time buckets that flush stored are dropped. If the flush failed this is not called, and
    /// the next flush writes the same flows again.
    public mutating func recordWritten(_ plan: FlushPlan, rowIDs: [Int64?]) {
        table.withMutableFlows { plan.recordWritten(rowIDs: rowIDs, in: $0) }
        table.withMutableFlows { buckets.compact($0, newIndex: nil) }
    }

    /// Frees the ended flows and their names; call once they are stored (they need no further write).
    public mutating func removeEnded() {
        let newIndex = table.removeEnded()
        table.withMutableFlows { names.compact($0) }
        table.withMutableFlows { buckets.compact($0, newIndex: newIndex) }
    }

    private mutating func joinFragment(_ packet: DecodedPacket, wireLength: UInt32, time: Int64) {
        // The flow must still be open and older than the first fragment (not a later reuse of its ports).
        guard let first = fragments.lookup(packet, time: time), let index = table.find(first.key),
              table[index].end == .open, table[index].firstTime <= first.firstSeen else {
            statistics.fragmentsUnjoined += 1
            return
        }
        statistics.fragmentsJoined += 1
        // A later fragment carries only payload (a UDP datagram's whole length came with its first).
        let payload = packet.ipProtocol == .udp ? 0 : max(0, packet.ipLength - packet.ipHeaderLength)
        table[index].withDirection(first.side) { $0.add(bytes: wireLength, ip: packet.ipLength, payload: payload, at: time) }
        table[index].fragmentPackets += 1
        buckets.count(table, index, bytes: wireLength, at: time)
    }
}

extension FlowRecord {
    /// Adds one packet sent by `side`: counters, TCP flags and handshake state, ICMP type.
    /// Mutates the record where it lies in the table (no copy of the record per packet).
    mutating func account(_ packet: DecodedPacket, from side: FlowSide, wireLength: UInt32, time: Int64) {
        let proto = packet.ipProtocol
        let flags = packet.hasTCPFlags ? packet.tcpFlags : []
        withDirection(side) {
            $0.add(bytes: wireLength, ip: packet.ipLength, payload: packet.payloadWireLength, at: time)
            $0.tcpFlags.formUnion(flags)
        }
        if packets == 1 && flags.isSYNACK { connection = ConnectionTrack(firstPacketFrom: side, synAck: true) }
        if packet.linkGroupDestination || packet.destination.isGroupAddress { toGroup = true }
        if proto == .tcp && packet.hasTCPFlags {
            connection.tcp(flags, from: side, payload: packet.payloadWireLength, sequence: packet.tcpSequence)
            if flags.isPureSYN && synSender == nil {
                synSender = side
                synSequence = packet.tcpSequence
            }
            if flags.isSYNACK && synAckSender == nil { synAckSender = side }
            if !handshakeCompleted, let client = synSender, client == side,
               synAckSender == client.other, flags.contains(.ack), !flags.contains(.syn) {
                handshakeCompleted = true
            }
            if flags.contains(.fin) {
                if side == .a { finFromA = true } else { finFromB = true }
            }
            if flags.contains(.rst) { reset = true }
        } else {
            connection.datagram(from: side, payload: packet.payloadWireLength)
            if (proto == .icmp || proto == .icmpv6) && packets == 1 {
                icmpType = packet.icmpType
                icmpCode = packet.icmpCode
            }
        }
    }

    @inline(__always)
    mutating func withDirection(_ side: FlowSide, _ body: (inout DirectionCounters) -> Void) {
        if side == .a { body(&fromA) } else { body(&fromB) }
    }
}
