import PortScopeDecode
import PortScopeFlows
import Testing

/// A decoded packet from "addr:port" to "addr:port" (ports on TCP/UDP), built without bytes.
func packet(_ proto: IPProtocol, _ from: String, _ to: String, flags: TCPFlags? = nil, seq: UInt32 = 0) -> DecodedPacket {
    var p = DecodedPacket()
    let src = from.split(separator: " "), dst = to.split(separator: " ")
    p.ipVersion = 4
    p.source = IPAddress(src[0])!
    p.destination = IPAddress(dst[0])!
    p.ipProtocol = proto
    if proto.hasPorts {
        p.hasPorts = true
        p.sourcePort = UInt16(src[1])!
        p.destinationPort = UInt16(dst[1])!
    }
    if let flags {
        p.hasTCPFlags = true
        p.tcpFlags = flags
        p.tcpSequence = seq
    }
    return p
}

/// Feeds `packets` one millisecond apart and returns each flow's server as "addr port" with
/// the method, in flow order.
func servers(_ packets: [DecodedPacket], spacing: Int64 = 1_000_000) -> [(server: String, method: ServiceDecision)] {
    var tracker = FlowTracker()
    for (i, p) in packets.enumerated() { tracker.add(p, bytes: noBytes, wireLength: 60, time: Int64(i) * spacing) }
    return tracker.table.withFlows { flows in
        let inference = ServiceSideInference(flows: flows, registry: .iana)
        return flows.map { flow in
            let side = inference.decide(flow)
            return ("\(flow.key.address(side.server)) \(flow.key.port(side.server))", side.decidedBy)
        }
    }
}

struct FlowDirectionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var packets: [DecodedPacket]
        var server: String
        var method: ServiceDecision
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "SYN decides, even toward a high port",
             packets: [packet(.tcp, "10.0.0.1 80", "10.0.0.2 50000", flags: .syn),
                       packet(.tcp, "10.0.0.2 50000", "10.0.0.1 80", flags: [.syn, .ack])],
             server: "10.0.0.2 50000", method: .tcpSYN),
        Case(name: "SYN-ACK alone names its sender",
             packets: [packet(.tcp, "10.0.0.9 8443", "10.0.0.1 40000", flags: [.syn, .ack]),
                       packet(.tcp, "10.0.0.1 40000", "10.0.0.9 8443", flags: .ack)],
             server: "10.0.0.9 8443", method: .tcpSYNACK),
        Case(name: "mid-stream TCP to an ephemeral client port",
             packets: [packet(.tcp, "10.0.0.2 443", "10.0.0.1 51515", flags: .ack)],
             server: "10.0.0.2 443", method: .ephemeralPort),
        Case(name: "UDP between a high and a low port",
             packets: [packet(.udp, "10.0.0.5 50000", "10.0.0.6 9000")],
             server: "10.0.0.6 9000", method: .ephemeralPort),
        Case(name: "only one port registered with IANA (tcp/1 tcpmux, tcp/4 unassigned)",
             packets: [packet(.tcp, "10.0.0.1 1", "10.0.0.2 4", flags: .ack)],
             server: "10.0.0.1 1", method: .ianaRegistry),
        Case(name: "nothing else tells: the lower port (tcp/4 and tcp/6 both unassigned)",
             packets: [packet(.tcp, "10.0.0.1 6", "10.0.0.2 4", flags: .ack)],
             server: "10.0.0.2 4", method: .lowerPort),
        Case(name: "equal ports: the first packet's destination",
             packets: [packet(.udp, "10.0.0.1 123", "10.0.0.2 123")],
             server: "10.0.0.2 123", method: .firstPacket),
        Case(name: "ICMP has no ports: the first packet's destination",
             packets: [packet(.icmp, "10.0.0.1", "10.0.0.2")],
             server: "10.0.0.2 0", method: .firstPacket),
    ]

    @Test(arguments: cases)
    func serverSide(_ c: Case) throws {
        let flows = servers(c.packets)
        let first = try #require(flows.first)
        #expect(first.server == c.server)
        #expect(first.method == c.method)
    }

    @Test func fanInBeatsTheRegistry() {
        // Three clients on registered ports (2049 nfs, 3306 mysql, 5432 postgresql) reach 10.0.0.100:7001.
        let packets = [("10.0.0.1", 2049), ("10.0.0.2", 3306), ("10.0.0.3", 5432)].map {
            packet(.udp, "\($0.0) \($0.1)", "10.0.0.100 7001")
        }
        let flows = servers(packets)
        #expect(flows.count == 3)
        #expect(flows.allSatisfy { $0.server == "10.0.0.100 7001" && $0.method == .portFanIn })
    }

    @Test func resolverTalkingToManyServersIsNotAServer() {
        // One client port queries three DNS servers: the client port sees one peer port (53) only.
        let packets = ["10.0.0.53", "10.0.0.54", "10.0.0.55"].map { packet(.udp, "10.0.0.1 40000", "\($0) 53") }
        #expect(servers(packets).allSatisfy { $0.server.hasSuffix(" 53") })
    }
}

struct FlowSplitTests {
    func flowCount(_ packets: [DecodedPacket], spacing: Int64 = 1_000_000) -> Int {
        var tracker = FlowTracker()
        for (i, p) in packets.enumerated() { tracker.add(p, bytes: noBytes, wireLength: 60, time: Int64(i) * spacing) }
        return tracker.table.count
    }

    let c = "10.0.0.1 40000", s = "10.0.0.2 80"

    @Test func synAfterFinStartsANewFlow() {
        #expect(flowCount([packet(.tcp, c, s, flags: .syn, seq: 1), packet(.tcp, s, c, flags: [.syn, .ack]),
                           packet(.tcp, c, s, flags: [.fin, .ack]), packet(.tcp, s, c, flags: [.fin, .ack]),
                           packet(.tcp, c, s, flags: .syn, seq: 1)]) == 2)
    }

    @Test func synWithNewISNStartsANewFlow() {
        #expect(flowCount([packet(.tcp, c, s, flags: .syn, seq: 1), packet(.tcp, c, s, flags: .syn, seq: 99)]) == 2)
    }

    @Test func retransmittedSYNStaysInTheFlow() {
        #expect(flowCount([packet(.tcp, c, s, flags: .syn, seq: 1), packet(.tcp, c, s, flags: .syn, seq: 1)]) == 1)
    }

    @Test func idleTimeoutEndsAFlow() {
        let datagrams = [packet(.udp, c, s), packet(.udp, c, s)]
        #expect(flowCount(datagrams, spacing: 1_000_000_000) == 1)
        #expect(flowCount(datagrams, spacing: FlowTimeouts.standard.other + 1) == 2)
    }

    @Test func laterFragmentsJoinTheirFirstFragment() {
        var first = packet(.udp, c, s)
        first.fragment = .init(identification: 7, offset: 0, moreFragments: true, isFragment: true)
        var later = packet(.udp, c, s)
        later.hasPorts = false
        later.fragment = .init(identification: 7, offset: 1480, moreFragments: false, isFragment: true)
        var orphan = later
        orphan.fragment.identification = 8
        var tracker = FlowTracker()
        for (i, p) in [first, later, orphan].enumerated() { tracker.add(p, bytes: noBytes, wireLength: 1514, time: Int64(i)) }
        #expect(tracker.table.count == 1)
        #expect(tracker.table[0].packets == 2 && tracker.table[0].fragmentPackets == 1)
        #expect(tracker.statistics.fragmentsJoined == 1 && tracker.statistics.fragmentsUnjoined == 1)
    }
}

struct ServiceRegistryTests {
    @Test func ianaNamesAndRanges() {
        #expect(ServiceRegistry.iana.name(.tcp, 80) == "http")
        #expect(ServiceRegistry.iana.name(.udp, 53) == "domain")
        #expect(ServiceRegistry.iana.name(.tcp, 6010) == "x11", "inside the 6000-6063 range")
        #expect(ServiceRegistry.iana.name(.tcp, 4) == nil)
        #expect(PortClass(port: 1023) == .wellKnown && PortClass(port: 1024) == .registered && PortClass(port: 49152) == .dynamic)
    }

    @Test func servicesFileOverrides() throws {
        let file = """
            # local names
            intranet-web  8080/tcp  www-int   # our portal
            metrics       9000/udp
            """
        let registry = try ServiceRegistry.iana.overridden(byServicesFile: file)
        #expect(registry.name(.tcp, 8080) == "intranet-web" && registry.name(.udp, 9000) == "metrics")
        #expect(registry.name(.tcp, 80) == "http")
        #expect(throws: ServiceRegistry.FormatError.self) { _ = try ServiceRegistry.iana.overridden(byServicesFile: "bogus 80") }
        // Protocols PortScope does not count are skipped (the system file has AppleTalk's ddp);
        // a line that is no entry names its line.
        let system = try ServiceRegistry.iana.overridden(byServicesFile: "rtmp 1/ddp\nzip 6/ddp  # Zone Information\nlocal 7777/tcp\n")
        #expect(system.name(.tcp, 7777) == "local" && system.name(.tcp, 1) == ServiceRegistry.iana.name(.tcp, 1))
        for (bad, line) in [("ok 1/tcp\nbad 70000/tcp", 2), ("\n\n  y 80", 3), ("z 80/", 1), ("w abc/tcp", 1)] {
            do {
                _ = try ServiceRegistry.iana.overridden(byServicesFile: bad)
                Issue.record("\(bad) was read")
            } catch {
                #expect(error.line == line && error.text == String(bad.split(separator: "\n", omittingEmptySubsequences: false)[line - 1]))
            }
        }
    }
}

/// Where no handshake was seen, the payload names the server: the receiver of a request, the
/// sender of a response or greeting, the first to send an SSH banner. Ports are chosen so that
/// the port rules would decide the other way.
struct PayloadDirectionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var packets: [(proto: IPProtocol, from: String, to: String, bytes: [UInt8])]
        var server: String
        var method: ServiceDecision = .payload
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "HTTP request from a low port to a high one, mid-stream",
             packets: [(.tcp, "10.0.0.1 80", "10.0.0.2 50000", ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))],
             server: "10.0.0.2 50000"),
        Case(name: "TLS ClientHello toward an ephemeral port",
             packets: [(.tcp, "10.0.0.1 443", "10.0.0.2 40000", AppBytes.tlsClientHello(serverName: "x.test"))],
             server: "10.0.0.2 40000"),
        Case(name: "the server's HTTP response seen first",
             packets: [(.tcp, "10.0.0.2 50000", "10.0.0.1 80", ascii("HTTP/1.1 200 OK\r\n\r\n"))],
             server: "10.0.0.2 50000"),
        Case(name: "SSH: the first banner is the server's",
             packets: [(.tcp, "10.0.0.9 60022", "10.0.0.1 22", ascii("SSH-2.0-OpenSSH_9.6\r\n")),
                       (.tcp, "10.0.0.1 22", "10.0.0.9 60022", ascii("SSH-2.0-OpenSSH_9.2\r\n"))],
             server: "10.0.0.9 60022"),
        Case(name: "a DNS response from the high port",
             packets: [(.udp, "10.0.0.5 5300", "10.0.0.6 53", AppBytes.dnsQuery(flags: 0x8180))],
             server: "10.0.0.5 5300"),
        Case(name: "an SMTP greeting",
             packets: [(.tcp, "10.0.0.7 40025", "10.0.0.8 25", ascii("220 mx ESMTP\r\n"))],
             server: "10.0.0.7 40025"),
        Case(name: "a payload that says nothing leaves the port rules",
             packets: [(.tcp, "10.0.0.1 80", "10.0.0.2 50000", zeros(40))],
             server: "10.0.0.1 80", method: .ephemeralPort),
    ]

    @Test(arguments: cases)
    func serverSide(_ c: Case) {
        let packets = c.packets.map { item in
            (packet(item.proto, item.from, item.to, flags: item.proto == .tcp ? [.psh, .ack] : nil), item.bytes)
        }
        #expect(trackedServers(packets) == ["\(c.server) \(c.method.rawValue)"])
    }

    @Test func aHandshakeOutweighsThePayload() {
        // The SYN's receiver is the server, even if the SYN's sender then greets like a server.
        let flows = trackedServers([
            (packet(.tcp, "10.0.0.1 50000", "10.0.0.2 2525", flags: .syn), []),
            (packet(.tcp, "10.0.0.1 50000", "10.0.0.2 2525", flags: [.psh, .ack]), ascii("220 ESMTP\r\n")),
        ])
        #expect(flows == ["10.0.0.2 2525 tcp_syn"])
    }

    /// Each flow's server as "addr port decided_by", after tracking packets with their payloads.
    private func trackedServers(_ packets: [(DecodedPacket, [UInt8])]) -> [String] {
        var tracker = FlowTracker()
        for (i, (packet, bytes)) in packets.enumerated() {
            var p = packet
            p.payloadLength = bytes.count
            p.payloadWireLength = bytes.count  // captured whole, as the decoder reports it
            bytes.withUnsafeBytes { tracker.add(p, bytes: $0, wireLength: 100, time: Int64(i)) }
        }
        return tracker.table.withFlows { flows in
            let inference = ServiceSideInference(flows: flows, registry: .iana)
            return flows.map { flow in
                let side = inference.decide(flow)
                return "\(flow.key.address(side.server)) \(flow.key.port(side.server)) \(side.decidedBy.rawValue)"
            }
        }
    }
}
