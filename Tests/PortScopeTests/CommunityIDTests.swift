import Foundation
import PortScopeDecode
import PortScopeFlows
import PortScopeStore
import Testing

/// Community ID v1 against the spec's published baselines (corelight/community-id-spec,
/// `baseline/baseline_deflt.json` with seed 0; seed 1 values from the reference implementation,
/// PyPI `communityid`). For ICMP the two ports are the type and code as sent.
struct CommunityIDTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var proto: UInt8, source: String, sourcePort: UInt16?, destination: String, destinationPort: UInt16?
        var seed: UInt16 = 0
        var id: String
        var testDescription: String { "\(proto) \(source):\(sourcePort.map(String.init) ?? "-") → \(destination) seed \(seed)" }
    }

    static let vectors: [Vector] = [
        // ICMPv6 neighbour solicitation and advertisement: pairs, ordered like two-way traffic.
        Vector(proto: 58, source: "fe80::200:86ff:fe05:80da", sourcePort: 135, destination: "fe80::260:97ff:fe07:69ea", destinationPort: 136, id: "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="),
        Vector(proto: 58, source: "fe80::260:97ff:fe07:69ea", sourcePort: 136, destination: "fe80::200:86ff:fe05:80da", destinationPort: 135, id: "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="),
        Vector(proto: 58, source: "fe80::260:97ff:fe07:69ea", sourcePort: 135, destination: "fe80::200:86ff:fe05:80da", destinationPort: 136, id: "1:zavyT/cezQr1fmImYCwYnMXbgck="),
        // ICMPv6 time exceeded and destination unreachable: one-way, the code as second port.
        Vector(proto: 58, source: "3ffe:501:1800:2345::2", sourcePort: 3, destination: "3ffe:507:0:1:200:86ff:fe05:80da", destinationPort: 0, id: "1:2ObVBgIn28oZvibYZhZMBgh7WdQ="),
        Vector(proto: 58, source: "3ffe:501:410:0:2c0:dfff:fe47:33e", sourcePort: 1, destination: "3ffe:507:0:1:200:86ff:fe05:80da", destinationPort: 4, id: "1:hLZd0XGWojozrvxqE0dWB1iM6R0="),
        // ICMPv6 echo request and reply; router solicitation and advertisement to groups.
        Vector(proto: 58, source: "3ffe:507:0:1:200:86ff:fe05:80da", sourcePort: 128, destination: "3ffe:501:0:1001::2", destinationPort: 129, id: "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="),
        Vector(proto: 58, source: "3ffe:501:0:1001::2", sourcePort: 129, destination: "3ffe:507:0:1:200:86ff:fe05:80da", destinationPort: 128, id: "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="),
        Vector(proto: 58, source: "fe80::200:86ff:fe05:80da", sourcePort: 133, destination: "ff02::2", destinationPort: 134, id: "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="),
        Vector(proto: 58, source: "fe80::260:97ff:fe07:69ea", sourcePort: 134, destination: "ff02::1", destinationPort: 133, id: "1:pkvHqCL88/tg1k4cPigmZXUtL00="),
        // ICMP echo request (type 8 code 0) and its reply (type 0 code 8 as ports), time exceeded.
        Vector(proto: 1, source: "192.168.0.89", sourcePort: 8, destination: "192.168.0.1", destinationPort: 0, id: "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="),
        Vector(proto: 1, source: "192.168.0.1", sourcePort: 0, destination: "192.168.0.89", destinationPort: 8, id: "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="),
        Vector(proto: 1, source: "10.0.0.1", sourcePort: 11, destination: "10.0.0.2", destinationPort: 0, id: "1:YHxtAirCG//0OzkcVAukqKQN9xM="),
        // TCP over IPv6 and IPv4, both directions; SCTP with equal ports; UDP; RSVP (no ports).
        Vector(proto: 6, source: "2001:470:e5bf:dead:4957:2174:e82c:4887", sourcePort: 63943, destination: "2607:f8b0:400c:c03::1a", destinationPort: 25, id: "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="),
        Vector(proto: 6, source: "2607:f8b0:400c:c03::1a", sourcePort: 25, destination: "2001:470:e5bf:dead:4957:2174:e82c:4887", destinationPort: 63943, id: "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="),
        Vector(proto: 132, source: "192.168.170.8", sourcePort: 7, destination: "192.168.170.56", destinationPort: 7, id: "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="),
        Vector(proto: 132, source: "192.168.170.56", sourcePort: 7, destination: "192.168.170.8", destinationPort: 7, id: "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="),
        Vector(proto: 6, source: "128.232.110.120", sourcePort: 34855, destination: "66.35.250.204", destinationPort: 80, id: "1:LQU9qZlK+B5F3KDmev6m5PMibrg="),
        Vector(proto: 6, source: "66.35.250.204", sourcePort: 80, destination: "128.232.110.120", destinationPort: 34855, id: "1:LQU9qZlK+B5F3KDmev6m5PMibrg="),
        Vector(proto: 17, source: "192.168.1.52", sourcePort: 54585, destination: "8.8.8.8", destinationPort: 53, id: "1:d/FP5EW3wiY1vCndhwleRRKHowQ="),
        Vector(proto: 17, source: "8.8.8.8", sourcePort: 53, destination: "192.168.1.52", destinationPort: 54585, id: "1:d/FP5EW3wiY1vCndhwleRRKHowQ="),
        Vector(proto: 46, source: "10.1.12.1", sourcePort: nil, destination: "10.1.12.2", destinationPort: nil, id: "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="),
        Vector(proto: 46, source: "10.1.12.2", sourcePort: nil, destination: "10.1.12.1", destinationPort: nil, id: "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="),
        // Seed 1.
        Vector(proto: 6, source: "128.232.110.120", sourcePort: 34855, destination: "66.35.250.204", destinationPort: 80, seed: 1, id: "1:3V71V58M3Ksw/yuFALMcW0LAHvc="),
        Vector(proto: 17, source: "192.168.1.52", sourcePort: 54585, destination: "8.8.8.8", destinationPort: 53, seed: 1, id: "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="),
        Vector(proto: 1, source: "192.168.0.89", sourcePort: 8, destination: "192.168.0.1", destinationPort: 0, seed: 1, id: "1:03g6IloqVBdcZlPyX8r0hgoE7kA="),
    ]

    @Test(arguments: vectors)
    func baseline(_ v: Vector) throws {
        let source = try #require(IPAddress(v.source)), destination = try #require(IPAddress(v.destination))
        #expect(CommunityID.compute(seed: v.seed, proto: IPProtocol(rawValue: v.proto), source: source, sourcePort: v.sourcePort,
                                    destination: destination, destinationPort: v.destinationPort) == v.id)
    }

    /// A flow's ID is the same whichever end sent first (TCP), and follows the first ICMP sender.
    @Test func flowRecords() throws {
        let a = try #require(IPAddress("128.232.110.120")), b = try #require(IPAddress("66.35.250.204"))
        for (source, sourcePort, destination, destinationPort) in [(a, UInt16(34855), b, UInt16(80)), (b, 80, a, 34855)] {
            let (key, side) = FlowKey.canonical(proto: .tcp, source: source, sourcePort: sourcePort,
                                                destination: destination, destinationPort: destinationPort)
            #expect(CommunityID.of(FlowRecord(key: key, firstSender: side)) == "1:LQU9qZlK+B5F3KDmev6m5PMibrg=")
        }
        let p = try #require(IPAddress("10.0.0.1")), q = try #require(IPAddress("10.0.0.2"))
        let (key, side) = FlowKey.canonical(proto: .icmp, source: p, sourcePort: 0, destination: q, destinationPort: 0)
        var flow = FlowRecord(key: key, firstSender: side)
        (flow.icmpType, flow.icmpCode) = (11, 0)
        #expect(CommunityID.of(flow) == "1:YHxtAirCG//0OzkcVAukqKQN9xM=")
    }

    /// Stored with every flow, with the capture's seed, and found again by `flows --community-id`.
    @Test func storedAndLookedUp() throws {
        let directory = TemporaryDirectory(), db = directory.file("test.db")
        let run = try portscope(["analyze", sample("http.pcap"), "--community-id-seed", "7", "--db", db])
        #expect(run.status == 0, "\(run.err)")
        let store = try CaptureStore(readingFrom: db)
        let rows = try store.query("SELECT f.community_id, c.community_id_seed FROM flows f JOIN captures c ON c.id = f.capture_id")
        #expect(!rows.isEmpty && rows.allSatisfy { $0["community_id"].text.hasPrefix("1:") && $0["community_id_seed"].int == 7 })
        let id = rows[0]["community_id"].text
        let found = try portscope(["flows", "--community-id", id, "--format", "json", "--db", db])
        #expect(found.status == 0 && found.out.contains(id))
        let all = try portscope(["flows", "--format", "json", "--db", db])
        #expect(found.out.count < all.out.count || rows.count == 1)
        let bad = try portscope(["flows", "--community-id", "LQU9qZlK", "--db", db])
        #expect(bad.status != 0 && bad.err.contains("not a version 1 Community ID"))
    }
}

/// Every flow of every corpus capture has the Community ID the reference implementation gives.
@Suite(.enabled(if: Corpus.root != nil, "set PORTSCOPE_CORPUS to the shared corpus directory"),
       .enabled(if: PythonReference.communityID, "PyPI communityid could not be installed: Community IDs not checked against it"))
struct CommunityIDConformanceTests {
    @Test func everyCorpusFlow() throws {
        let check = try runProgram(repositoryRoot + "/scripts/community-id-check", [Corpus.database])
        #expect(check.status == 0, "\(check.out)\(check.err)")
        let checked = check.out.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        #expect(checked > 500, "\(check.out)")  // the corpus holds about 700 flows
    }
}
