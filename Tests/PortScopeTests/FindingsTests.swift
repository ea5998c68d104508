import Foundation
import PortScopeAnalysis
import PortScopeDecode
import PortScopeReport
import PortScopeStore
import Testing

/// An office day: a client browses (HTTPS, HTTP, QUIC) and resolves names at the local resolver,
/// two admins use SSH, hosts sync time and get DHCP leases, mDNS chatter, and one refused
/// connection. None of it is unexpected. `seed` varies the client ports, as another day would.
func officeDay(_ t: inout TrafficCapture, seed: Int = 0) {
    let base = 40000 + seed * 1000
    for (i, server) in ["93.184.216.34", "142.250.74.46", "151.101.1.69", "2606:4700::6810:85e5"].enumerated() {
        let client = server.contains(":") ? "fd00::10" : "192.168.1.10"
        t.udpExchange(client, base + 100 + i, client.contains(":") ? "fd00::1" : "192.168.1.1", 53)
        t.session(client, base + i, server, 443, exchanges: 3)
    }
    t.session("192.168.1.10", base + 10, "93.184.216.34", 80)
    t.udpExchange("192.168.1.10", base + 11, "142.250.74.46", 443, request: 1200, response: 1200)
    t.udpExchange("192.168.1.11", base + 12, "192.168.1.1", 53)
    for admin in ["192.168.1.20", "192.168.1.21"] { t.session(admin, base + 20, "192.168.1.5", 22, exchanges: 5) }
    t.udpExchange("192.168.1.10", 123, "162.159.200.1", 123, request: 48, response: 48)
    t.udpExchange("0.0.0.0", 68, "255.255.255.255", 67, answered: false, request: 300)
    t.udp("192.168.1.1", 67, "255.255.255.255", 68, payload: 300)
    t.udp("192.168.1.10", 5353, "224.0.0.251", 5353, payload: 60)
    t.tcp("192.168.1.10", base + 30, "192.168.1.6", 8443, [.syn])
    t.tcp("192.168.1.6", 8443, "192.168.1.10", base + 30, [.rst, .ack], seq: 0, ack: 1001)
}

/// Analyzes each capture in turn into one database; the store, read-only.
func database(_ captures: [TrafficCapture], in dir: TemporaryDirectory) throws -> CaptureStore {
    for (i, capture) in captures.enumerated() {
        let path = dir.file("day\(i + 1).pcap")
        try capture.write(to: path)
        try analyze(path, in: dir)
    }
    return try CaptureStore(readingFrom: dir.file("test.db"))
}

func findings(_ captures: [TrafficCapture], options: FindingOptions = FindingOptions(),
              select: CaptureSelection = .all) throws -> [Finding] {
    let dir = TemporaryDirectory()
    let store = try database(captures, in: dir)
    return try Findings.find(store, captures: select, options: options)
}

@Suite struct FindingsTests {
    @Test func ordinaryTrafficYieldsNothing() throws {
        var t = TrafficCapture()
        officeDay(&t)
        let found = try findings([t])
        #expect(found.isEmpty, "\(found.map(\.reason))")
    }

    @Test func aSYNScanOf500PortsIsOneFinding() throws {
        var t = TrafficCapture()
        officeDay(&t)
        t.session("192.168.1.20", 40900, "192.168.1.80", 22)
        for port in 1...500 {
            t.synProbe("203.0.113.66", 61000, "192.168.1.80", port, answer: [22, 80].contains(port) ? .synAck : .reset)
        }
        let found = try findings([t])
        #expect(found.count == 1, "\(found.map(\.reason))")
        let scan = try #require(found.first)
        #expect(scan.kind == .scan && scan.severity == .medium && scan.host == IPAddress("203.0.113.66"))
        #expect(scan.proto == .tcp && scan.port == nil && scan.evidence.flows == 500 && scan.evidence.peers == 1)
        #expect(scan.reason == "203.0.113.66 probed 500 ports on 192.168.1.80 without completing handshakes: 2 open (tcp/22 tcp/80), 498 closed")
        #expect(scan.openPorts == ["tcp/22", "tcp/80"] && scan.closedPorts?.count == 498)

        // The host view keeps the scan apart: half-open answers are not service traffic, so the
        // target serves SSH to its one real client, and nothing else.
        let dir = TemporaryDirectory()
        let store = try database([t], in: dir)
        let hosts = Reports.hosts(try HostView.lines(store, captures: .all, hosts: HostSelection(networks: [IPNetwork("192.168.1.80")!]),
                                                     local: .privateRanges), explain: false, registry: .iana)
        #expect(hosts.selecting(["role", "port", "clients"]).rows == [[.text("serves"), .int(22), .int(1)]])
    }

    /// An nmap SYN scan: the open ports retransmit their SYN-ACK (SYN, SYN-ACK ×4, the
    /// scanner's RST) and stay half-open probes; the closed ones reset. The scan names what it
    /// found, and the scanner is no client of the open services.
    @Test func aSYNScanWithRetransmittedSYNACKsNamesItsOpenPorts() throws {
        var t = TrafficCapture()
        t.session("192.168.1.20", 50000, "192.168.1.80", 22)
        for port in 1...1000 {
            if [22, 53, 80].contains(port) {
                t.tcp("203.0.113.66", 61000, "192.168.1.80", port, [.syn], seq: 7000)
                for _ in 0..<4 { t.tcp("192.168.1.80", port, "203.0.113.66", 61000, [.syn, .ack], seq: 9000, ack: 7001) }
                t.tcp("203.0.113.66", 61000, "192.168.1.80", port, [.rst], seq: 7001)
            } else {
                t.synProbe("203.0.113.66", 61000, "192.168.1.80", port, answer: port <= 7 ? .reset : .nothing)
            }
        }
        let found = try findings([t])
        #expect(found.map(\.kind) == [.scan], "\(found.map(\.reason))")
        #expect(found.first?.reason == "203.0.113.66 probed 1000 ports on 192.168.1.80 without completing handshakes: "
                + "3 open (tcp/22 tcp/53 tcp/80), 7 closed, 990 unanswered")
        #expect(found.first?.openPorts == ["tcp/22", "tcp/53", "tcp/80"] && found.first?.closedPorts?.count == 7)
        let dir = TemporaryDirectory()
        let hosts = Reports.hosts(try HostView.lines(try database([t], in: dir), captures: .all,
                                                     hosts: HostSelection(networks: [IPNetwork("192.168.1.80")!]), local: .privateRanges),
                                  explain: false, registry: .iana)
        #expect(hosts.selecting(["role", "port", "clients"]).rows == [[.text("serves"), .int(22), .int(1)]])
    }

    /// A UDP scan: the closed ports answer with ICMP port unreachable, quoting the probe; those
    /// flows are rejected (conn_state REJ) and counted closed, the silent ones unanswered.
    @Test func aUDPScanAnsweredByICMPCountsClosedPorts() throws {
        var t = TrafficCapture()
        for port in 1...40 {
            if port % 2 == 0 { t.udpRefused("192.168.1.66", 40000, "192.168.1.80", 1000 + port) }
            else { t.udp("192.168.1.66", 40000, "192.168.1.80", 1000 + port, payload: 8) }
        }
        for port in 1...4 { t.udpRefused("fd00::66", 40000, "fd00::80", 2000 + port) }
        let found = try findings([t])
        #expect(found.first?.reason == "192.168.1.66 probed 40 ports on 192.168.1.80 without completing handshakes: "
                + "none open, 20 closed, 20 unanswered")
        let dir = TemporaryDirectory()
        let store = try database([t], in: dir)
        #expect(try store.rows("SELECT conn_state, COUNT(*) FROM flows WHERE proto = 'udp' GROUP BY 1 ORDER BY 1")
                == [[.text("REJ"), .int(24)], [.text("S0"), .int(20)]])
    }

    /// A peer-to-peer client pinging hundreds of DHT peers, most of which never answer, is no scan.
    @Test func aPeerToPeerClientIsNoScanner() throws {
        var t = TrafficCapture()
        let ping = Array("d1:ad2:id20:abcdefghij0123456789e1:q4:pinge".utf8)
        for peer in 1...300 {
            t.udp("192.168.1.10", 6881, "198.51.\(peer / 250).\(peer % 250 + 1)", 20000 + peer, data: ping)
            if peer % 10 == 0 { t.udp("198.51.\(peer / 250).\(peer % 250 + 1)", 20000 + peer, "192.168.1.10", 6881, data: ping) }
        }
        #expect(try findings([t]).filter { $0.kind == .scan }.isEmpty)
    }

    @Test func sweepsAcrossHostsAreOneFindingEach() throws {
        var t = TrafficCapture()
        for host in 1...60 { t.ping("192.168.1.66", "192.168.2.\(host)", reply: false) }
        for host in 1...30 { t.udpExchange("192.168.1.67", 50000 + host, "192.168.3.\(host)", 161, answered: false) }
        t.udpExchange("192.168.1.67", 50100, "192.168.3.200", 161)
        let found = try findings([t])
        #expect(found.map(\.kind) == [.scan, .scan])
        #expect(found.allSatisfy { $0.severity == .high })  // local scanners
        #expect(found.map(\.reason) == [
            "192.168.1.66 probed icmp on 60 hosts without completing handshakes: none open, none closed, 60 unanswered",
            "192.168.1.67 probed udp/161 on 30 hosts without completing handshakes: none open, none closed, 30 unanswered",
        ])
        #expect(found[1].proto == .udp && found[1].port == 161)
    }

    @Test func aBusyClientWithSomeRefusedConnectionsIsNoScanner() throws {
        var t = TrafficCapture()
        for i in 0..<60 { t.session("192.168.1.10", 40000 + i, "198.51.100.\(i)", 443) }
        for i in 0..<25 { t.synProbe("192.168.1.10", 41000 + i, "198.51.100.\(100 + i)", 443, answer: .reset) }
        #expect(try findings([t]).isEmpty)
    }

    @Test func servicesOnUncommonPorts() throws {
        var t = TrafficCapture()
        for (i, client) in ["192.168.1.10", "192.168.1.11", "192.168.1.12"].enumerated() {
            t.session(client, 40000 + i, "192.168.1.50", 50050)
        }
        t.session("192.168.1.10", 40100, "192.168.1.51", 7777)
        // Passive FTP: the data connection to a dynamic port follows a control connection.
        t.session("192.168.1.10", 40200, "192.168.1.52", 21)
        t.session("192.168.1.10", 40201, "192.168.1.52", 50001)
        let found = try findings([t])
        #expect(found.map { "\($0.severity) \($0.kind.rawValue) \($0.host) \($0.port!)" } == [
            "high uncommon_port 192.168.1.50 50050",
            "low uncommon_port 192.168.1.51 7777",
        ])
        #expect(found[0].reason == "192.168.1.50 serves tcp/50050 (unregistered) to 3 clients on a dynamic port, not a commonly used service port")
        #expect(found[0].evidence.decisions?.description == "tcp_syn 3")
    }

    @Test func multicastGroupsAreNeverHostsOrServices() throws {
        var t = TrafficCapture()
        for _ in 0..<10 { t.udp("192.168.1.10", 40000, "239.1.1.1", 5004, payload: 1200) }  // an RTP multicast stream
        #expect(try findings([t]).isEmpty)
        let dir = TemporaryDirectory()
        let hosts = Reports.hosts(try HostView.lines(try database([t], in: dir), captures: .all, hosts: HostSelection(),
                                                     local: .privateRanges), explain: false, registry: .iana)
        // A group is never a server: the sender uses no service of it.
        #expect(hosts.rows.isEmpty)
    }

    /// A broadcast-heavy LAN: NetBIOS name queries to the directed broadcast 10.0.5.255 (an
    /// Ethernet broadcast) answered by one host, mDNS queries and answers on 224.0.0.251, DHCP to
    /// 255.255.255.255. No group address is a server or a client anywhere, nor in a drafted policy.
    @Test func broadcastAndMulticastAreNeverServersOrClients() throws {
        var t = TrafficCapture()
        // A NetBIOS name query (RFC 1002): broadcast flag, one question, the name "*" encoded A–P, type NB.
        let nameQuery: [UInt8] = [0x12, 0x34, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 0, 0x20] + [0x43, 0x4B] + [UInt8](repeating: 0x41, count: 30)
            + [0, 0, 0x20, 0, 1]
        for host in 1...20 {
            t.udp("10.0.5.\(host)", 137, "10.0.5.255", 137, data: nameQuery, linkBroadcast: true)
            t.udp("10.0.5.\(host)", 5353, "224.0.0.251", 5353, data: AppBytes.request("udp", port: 5353, size: 40))
            t.udp("10.0.5.\(host + 100)", 5353, "224.0.0.251", 5353, data: AppBytes.response("udp", port: 5353, size: 80))
        }
        var answer = nameQuery
        answer[2] = 0x85; answer[3] = 0x00; answer[5] = 0; answer[7] = 1  // a response, with its answer in place of the question
        t.udp("10.0.5.7", 137, "10.0.5.1", 137, data: answer + [0, 0, 0x0E, 0x10, 0, 6, 0, 0, 10, 0, 5, 7])
        t.udpExchange("0.0.0.0", 68, "255.255.255.255", 67)
        let found = try findings([t])
        #expect(found.isEmpty, "\(found.map(\.reason))")
        let dir = TemporaryDirectory()
        let store = try database([t], in: dir)
        let lines = try HostView.lines(store, captures: .all, hosts: HostSelection(), local: .privateRanges)
        let groups = ["10.0.5.255", "224.0.0.251", "255.255.255.255"].map { IPAddress($0)! }
        #expect(!lines.contains { groups.contains($0.host) || $0.remote.map(groups.contains) == true }, "\(lines.map(\.host))")
        let draft = Policy.draft(from: try ServiceTraffic(store, captures: .all), local: .privateRanges, captures: "all")
        #expect(!draft.contains("10.0.5.255") && !draft.contains("224.0.0.251"))
        let all = try store.rows("SELECT client_addr, server_addr, to_group FROM flows")
        #expect(try store.rows("SELECT COUNT(*) FROM flows WHERE to_group = 1") == [[.int(61)]], "\(all)")
    }

    @Test func wellKnownSourcePortsTowardUnrelatedPorts() throws {
        var t = TrafficCapture()
        t.synProbe("10.0.0.66", 53, "192.168.1.80", 445, answer: .synAck)
        t.session("10.0.0.66", 88, "192.168.1.80", 3389)
        t.udpExchange("10.0.0.67", 53, "192.168.1.80", 161)
        t.udpExchange("10.0.0.67", 53, "192.168.1.81", 161)
        // Not evasion: a resolver answering (its first packet seen is a reply), active FTP data
        // from port 20 to its control client, DHCP, NTP.
        t.udp("192.168.1.1", 53, "192.168.1.10", 40000)
        t.udpExchange("192.168.1.11", 40001, "192.168.1.1", 53)
        t.session("192.168.1.10", 40200, "192.168.1.52", 21)
        t.session("192.168.1.52", 20, "192.168.1.10", 40300)
        t.udpExchange("192.168.1.10", 68, "192.168.1.1", 67)
        t.udpExchange("192.168.1.10", 123, "162.159.200.1", 123)
        let found = try findings([t]).filter { $0.kind == .wellKnownSourcePort }
        #expect(found.map { "\($0.host) \($0.proto!.name)/\($0.port!)" } == ["10.0.0.66 tcp/53", "10.0.0.66 tcp/88", "10.0.0.67 udp/53"])
        #expect(found[2].reason == "10.0.0.67 opened flows from udp/53 (domain) to port 161 on 2 hosts, a service port used as a client source port")
        #expect(found.allSatisfy { $0.severity == .medium })
    }

    /// `ignore` lines silence findings on purpose: by kind, host or network, and service; a
    /// silenced finding is kept, marked with the line, for `--explain` to show.
    @Test func policyIgnoreLinesSilenceFindings() throws {
        var t = TrafficCapture()
        officeDay(&t)
        for port in 1...30 { t.synProbe("10.0.0.5", 61000, "192.168.1.80", 1000 + port, answer: .reset) }
        for client in 1...3 { t.udpExchange("192.168.1.\(40 + client)", 40000 + client, "192.168.1.6", 50050) }
        for client in 1...2 { t.session("192.168.1.\(50 + client)", 40000, "192.168.1.7", 51515) }
        let before = try findings([t])
        #expect(before.map { "\($0.kind.rawValue) \($0.host)" } == ["scan 10.0.0.5", "uncommon_port 192.168.1.6", "uncommon_port 192.168.1.7"],
                "\(before.map(\.reason))")
        let policy = try Policy(parsing: """
            * serve tcp/* udp/*
            * use tcp/* udp/*
            ignore uncommon_port 192.168.1.6 udp/50000-50100
            ignore scan 10.0.0.0/24
            """, file: "p")
        let after = try findings([t], options: FindingOptions(policy: policy))
        #expect(after.filter { $0.silencedBy == nil }.map { "\($0.kind.rawValue) \($0.host)" } == ["uncommon_port 192.168.1.7"])
        #expect(after.filter { $0.kind == .scan }.map(\.silencedBy) == ["p:4"])
        #expect(after.filter { $0.host == IPAddress("192.168.1.6") }.map(\.silencedBy) == ["p:3"])
        // A service limits the line to findings on those ports: a scan spans many, so only tcp/* covers it.
        let narrow = try Policy(parsing: "ignore scan 10.0.0.5 tcp/1000-2000\nignore * 10.0.0.5 udp/*\n", file: "q")
        #expect(try findings([t], options: FindingOptions(policy: narrow)).first { $0.kind == .scan }?.silencedBy == nil)
        let wide = try Policy(parsing: "ignore * 10.0.0.5 tcp/*\n", file: "q")
        #expect(try findings([t], options: FindingOptions(policy: wide)).first { $0.kind == .scan }?.silencedBy == "q:1")
    }

    @Test func policyDraftedFromADayAllowsThatDayAndFlagsWhatIsNew() throws {
        var day1 = TrafficCapture(), day2 = TrafficCapture()
        officeDay(&day1)
        officeDay(&day2, seed: 1)
        day2.session("192.168.1.20", 40500, "192.168.1.5", 8080)  // a new service on the SSH host
        day2.session("192.168.1.10", 40501, "198.51.100.7", 22)   // a client using SSH outward
        let dir = TemporaryDirectory()
        let store = try database([day1, day2], in: dir)
        let draft = Policy.draft(from: try ServiceTraffic(store, captures: CaptureSelection(ids: [1])),
                                 local: .privateRanges, captures: "capture 1")
        #expect(draft.contains("\n192.168.1.5 serve tcp/22\n"))
        let policy = try Policy(parsing: draft, file: "draft")
        let day1Findings = try Findings.find(store, captures: CaptureSelection(ids: [1]), options: FindingOptions(policy: policy))
        #expect(day1Findings.isEmpty, "\(day1Findings.map(\.reason))")
        let day2Findings = try Findings.find(store, captures: CaptureSelection(ids: [2]), options: FindingOptions(policy: policy))
        #expect(day2Findings.map { "\($0.kind.rawValue) \($0.host) \($0.port!)" } == [
            "policy_serve 192.168.1.5 8080", "policy_use 192.168.1.10 22", "policy_use 192.168.1.20 8080",
        ])
        #expect(day2Findings[0].reason == "192.168.1.5 serves tcp/8080 (http-alt) to 1 client and the policy does not allow it")
        #expect(day2Findings[0].rule.hasPrefix("policy: draft has no rule allowing it"))
    }

    @Test func policyNetworksWildcardsAndPeers() throws {
        let policy = try Policy(parsing: """
            # servers
            192.168.1.5     serve tcp/22 from 192.168.1.20 192.168.1.21
            192.168.1.0/24  serve tcp/8000-8099
            *               use   udp/53 tcp/* to 192.168.0.0/16   # anything inside
            """, file: "p")
        let a = IPAddress("192.168.1.5")!, admin = IPAddress("192.168.1.20")!, other = IPAddress("192.168.1.99")!
        #expect(policy.rule(allowing: .serve, a, .tcp, 22, peer: admin)?.origin == "p:2")
        #expect(policy.rule(allowing: .serve, a, .tcp, 22, peer: other) == nil)
        #expect(policy.rule(allowing: .serve, a, .tcp, 8080, peer: other)?.origin == "p:3")
        #expect(policy.rule(allowing: .serve, a, .tcp, 8100, peer: other) == nil)
        #expect(policy.rule(allowing: .use, other, .tcp, 9999, peer: a)?.origin == "p:4")
        #expect(policy.rule(allowing: .use, other, .tcp, 443, peer: IPAddress("8.8.8.8")!) == nil)
        #expect(policy.rule(allowing: .use, other, .udp, 53, peer: IPAddress("8.8.8.8")!) == nil)  // `to` binds the line
    }

    @Test(arguments: [
        ("10.0.0.1 serve", "p:1: expected 'WHO serve|use SERVICE…', got '10.0.0.1 serve'"),
        ("10.0.0.300 serve tcp/22", "p:1: '10.0.0.300' is not an address, a network or *"),
        ("* serves tcp/22", "p:1: 'serves' is not serve or use"),
        ("\n* serve tcp/70000", "p:2: 'tcp/70000' is not a service (tcp/443, udp/5000-5100, tcp/*, or ssh@tcp/443 to allow a protocol on it)"),
        ("* serve tcp/90-80", "p:1: 'tcp/90-80' is not a service (tcp/443, udp/5000-5100, tcp/*, or ssh@tcp/443 to allow a protocol on it)"),
        ("* serve icmp/1", "p:1: 'icmp/1' is not a service (tcp/443, udp/5000-5100, tcp/*, or ssh@tcp/443 to allow a protocol on it)"),
        ("* serve tcp/22 to 10.0.0.0/8", "p:1: 'to' belongs to 'use' rules"),
        ("* use tcp/22 to", "p:1: 'to' needs at least one address or network"),
        ("* use tcp/22 to 10.0.0.0/33", "p:1: '10.0.0.0/33' is not an address or network"),
        ("* use to 10.0.0.0/8", "p:1: no service before 'to'"),
        ("ignore", "p:1: expected 'ignore KIND WHO [SERVICE…]', e.g. 'ignore uncommon_port 192.168.1.6 udp/50000-50100'"),
        ("ignore scan", "p:1: expected 'ignore KIND WHO [SERVICE…]', e.g. 'ignore uncommon_port 192.168.1.6 udp/50000-50100'"),
        ("\n\nignore scans 10.0.0.5", "p:3: 'scans' is not a finding kind (scan, uncommon_port, protocol_mismatch, well_known_source_port, policy_serve, policy_use, new_service, vanished_service, unused_listener, external_exposure or *)"),
        ("ignore scan 10.0.0.500", "p:1: '10.0.0.500' is not an address, a network or *"),
        ("ignore uncommon_port * udp/50000-", "p:1: 'udp/50000-' is not a service (tcp/443, udp/5000-5100, tcp/*)"),
    ])
    func policyErrorsNameTheLine(text: String, message: String) {
        #expect(throws: Policy.FormatError.self) { try Policy(parsing: text, file: "p") }
        do { _ = try Policy(parsing: text, file: "p") } catch { #expect(error.description == message) }
    }

    @Test func baselineWithTheSameServicesYieldsNothing() throws {
        var day1 = TrafficCapture(), day2 = TrafficCapture(), day3 = TrafficCapture()
        officeDay(&day1)
        officeDay(&day2, seed: 1)
        officeDay(&day3, seed: 2)
        day3.session("192.168.1.10", 40600, "192.168.1.5", 3306)
        let dir = TemporaryDirectory()
        let store = try database([day1, day2, day3], in: dir)
        let options = FindingOptions(baseline: (1, "capture 1"))
        #expect(try Findings.find(store, captures: CaptureSelection(ids: [2]), options: options).isEmpty)
        // Day 3 adds MySQL on the SSH host and, filtered to it, has lost nothing else.
        let day3Findings = try Findings.find(store, captures: CaptureSelection(ids: [3]), options: options)
        #expect(day3Findings.map { "\($0.kind.rawValue) \($0.host) \($0.port!)" } == ["new_service 192.168.1.5 3306"])
        // Against day 3, day 1 lacks it: vanished.
        let reverse = try Findings.find(store, captures: CaptureSelection(ids: [1]), options: FindingOptions(baseline: (3, "capture 3")))
        #expect(reverse.map(\.kind) == [.vanishedService])
        #expect(reverse[0].reason == "192.168.1.5 served tcp/3306 (mysql) in capture 3; not seen since")
    }

    @Test(arguments: [
        ("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.1", false), ("192.168.1.7", "192.168.1.7", true),
        ("192.168.1.7/24", "192.168.1.200", true), ("0.0.0.0/0", "8.8.8.8", true), ("0.0.0.0/0", "2001:db8::1", false),
        ("fd00::/8", "fd12::1", true), ("fd00::/8", "fe80::1", false), ("2001:db8::/32", "2001:db8:ffff::1", true),
        ("::/0", "10.0.0.1", true),
    ])
    func networksContainTheirAddresses(network: String, address: String, contained: Bool) throws {
        #expect(try #require(IPNetwork(network)).contains(try #require(IPAddress(address))) == contained)
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0.0/", "/8", "fd00::/129", "10.0.0.0/+8", "host/8"])
    func networksRejectBadText(_ text: String) {
        #expect(IPNetwork(text) == nil)
    }
}

/// A port's `app_proto` is the protocol carrying most of its bytes, or `mixed` when none carries
/// more than half: a tie is never broken silently, and many small flows do not outweigh the bytes.
struct AppMixTests {
    /// An app, its flows and bytes.
    struct Part: Sendable {
        var app: String
        var flows: Int64
        var bytes: Int64
    }

    static let cases: [(parts: [Part], main: String)] = [
        ([Part(app: "tls", flows: 20, bytes: 9000), Part(app: "unknown", flows: 1, bytes: 100)], "tls"),
        ([Part(app: "unknown", flows: 5, bytes: 100), Part(app: "tls", flows: 1, bytes: 5000)], "tls"),
        ([Part(app: "tls", flows: 1, bytes: 1000), Part(app: "http", flows: 1, bytes: 1000)], "mixed"),
        ([Part(app: "tls", flows: 1, bytes: 400), Part(app: "http", flows: 1, bytes: 300), Part(app: "ssh", flows: 1, bytes: 300)], "mixed"),
        ([Part(app: "ssh", flows: 1, bytes: 0)], "ssh"),
    ]

    @Test(arguments: 0..<cases.count)
    func namesTheByteMajority(_ index: Int) {
        var mix = AppMix()
        for part in Self.cases[index].parts { mix.add(part.app, flows: part.flows, bytes: part.bytes) }
        #expect(mix.main == Self.cases[index].main)
    }
}
