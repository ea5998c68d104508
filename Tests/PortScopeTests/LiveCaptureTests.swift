import Foundation
@testable import PortScopeCapture
@testable import PortScopeCLI
import PortScopeClickHouse
@testable import PortScopeIngest
import PortScopeReport
import PortScopeSQLite
import PortScopeStore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `portscope live` with `arguments`, running in the background.
func startLive(_ arguments: [String]) throws -> RunningProgram {
    try RunningProgram(portscopeBinary.path, ["live"] + arguments)
}

/// Rows of `sql` from the database at `path`, or nil while it cannot be read yet.
func query(_ path: String, _ sql: String) -> [[Statement.Value]]? {
    guard let store = try? CaptureStore(readingFrom: path) else { return nil }
    return try? store.rows(sql)
}

/// Polls `condition` every 50 ms for up to `seconds`.
func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}

/// Capturing needs CAP_NET_RAW; CI runs as root.
let canCapture = geteuid() == 0

/// Real capture on `lo`: known connections and datagrams, counted exactly.
@Suite(.serialized, .enabled(if: canCapture, "live capture needs root (CAP_NET_RAW)"))
struct LiveCaptureTests {
    @Test func countsEveryPacketSentAndFlushesWhileRunning() throws {
        let dir = TemporaryDirectory(), db = dir.file("live.db")
        let listener = Loopback.listener(), receiver = Loopback.bound(stream: false)
        defer { close(listener.fd); close(receiver.fd) }
        let live = try startLive(["-i", "lo", "--db", db, "--flush-every", "200ms",
                                "--filter", "tcp port \(listener.port) or udp port \(receiver.port)"])
        #expect(eventually { query(db, "SELECT status FROM captures")?.first?.first == .text("running") })

        // Before the first flush: 3 connections and 10 datagrams of 100 bytes.
        var clients = (0..<3).map { _ in Loopback.connection(to: listener) }
        let firstSender = Loopback.datagrams(10, size: 100, to: receiver.port)
        // A read while the capture runs sees them. (Which side serves is not known yet: both
        // ports are ephemeral, and fan-in shows only with the second sender.)
        let udpSoFar = "SELECT packets_c2s + packets_s2c FROM flows WHERE proto = 'udp' AND \(firstSender) IN (client_port, server_port)"
        #expect(eventually { query(db, udpSoFar)?.first?.first == .int(10) })
        #expect(query(db, "SELECT status FROM captures")?.first?.first == .text("running"))
        // The host view and the findings read the running capture as they read a file's.
        #expect(eventually {
            let hosts = (try? portscope(["hosts", "--db", db, "--format", "json"]))?.out ?? ""
            return hosts.contains("\"role\": \"serves\", \"proto\": \"tcp\", \"port\": \(listener.port),")
        })
        #expect(try portscope(["unexpected", "--db", db, "--explain"]).status == 0)

        // More traffic, then SIGINT at once: all of it must be stored by the final flush.
        clients += (0..<2).map { _ in Loopback.connection(to: listener) }
        let secondSender = Loopback.datagrams(25, size: 1000, to: receiver.port)
        live.process.interrupt()
        let run = live.finish()
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("stopped by signal"), "\(run.out)")
        #expect(run.out.contains("dropped by kernel 0, dropped by interface 0"), "\(run.out)")

        // UDP: exactly what was sent, on the wire as Ethernet (14) + IPv4 (20) + UDP (8) + payload;
        // the first flow, written before fan-in showed, re-decided with the receiver as server.
        let udp = try #require(query(db, """
            SELECT client_port, server_port, packets_c2s, bytes_c2s, packets_s2c FROM flows
            WHERE proto = 'udp' ORDER BY client_port = \(secondSender)
            """))
        let server = Int64(receiver.port)
        let expected: [[Statement.Value]] = [
            [.int(Int64(firstSender)), .int(server), .int(10), .int(10 * 142), .int(0)],
            [.int(Int64(secondSender)), .int(server), .int(25), .int(25 * 1042), .int(0)],
        ]
        #expect(udp == expected)
        // TCP: one flow per connection, each from its client port, handshake seen, server by its SYN.
        let tcp = try #require(query(db, """
            SELECT client_port, server_port, decided_by, handshake, end_reason FROM flows
            WHERE proto = 'tcp' ORDER BY id
            """))
        #expect(tcp.map { $0[0] } == clients.map { .int(Int64($0)) })
        #expect(tcp.allSatisfy { Array($0[1...]) == [.int(Int64(listener.port)), .text("tcp_syn"), .int(1), .text("open")] })
        // Each connection carried its request and reply: SYN, ACK, request, FIN one way at least.
        let small = query(db, "SELECT COUNT(*) FROM flows WHERE proto = 'tcp' AND (packets_c2s < 4 OR packets_s2c < 3 OR bytes_c2s < 4 * 54 + 100 OR bytes_s2c < 3 * 54 + 300)")
        #expect(small == [[.int(0)]])

        // The capture row: complete, its totals equal to its flows', no drops, service aggregates match.
        let capture = try #require(query(db, """
            SELECT c.status, c.kind, c.source, c.packets = (SELECT SUM(packets_c2s + packets_s2c) FROM flows),
                   c.bytes = (SELECT SUM(bytes_c2s + bytes_s2c) FROM flows), c.flows, c.dropped_kernel, c.dropped_interface,
                   c.received >= c.packets
            FROM captures c
            """)?.first)
        #expect(capture == [.text("complete"), .text("interface"), .text("lo"), .int(1), .int(1), .int(7), .int(0), .int(0), .int(1)])
        let services = query(db, "SELECT proto, port, flows, clients, packets_c2s FROM service_ports WHERE proto = 'udp'")
        #expect(services == [[.text("udp"), .int(Int64(receiver.port)), .int(2), .int(1), .int(35)]])
        // Time buckets filled as it ran sum to the services, the re-decided UDP flow's included.
        #expect(query(db, "SELECT proto, server_port, SUM(packets), SUM(flows) FROM time_buckets GROUP BY 1, 2 ORDER BY 1, 2")
                    == query(db, "SELECT proto, port, packets_c2s + packets_s2c, flows FROM service_ports ORDER BY 1, 2"))
    }

    /// --on-finding: a command that fails is reported, one that runs too long is stopped and
    /// reported, and neither holds up the capture.
    @Test(arguments: [("exit 3", "failed (status 3)"), ("sleep 30", "ran longer than 10s")])
    func onFindingCommandsNeverStallTheCapture(_ command: String, _ report: String) throws {
        let dir = TemporaryDirectory(), db = dir.file("f.db")
        let listener = Loopback.listener()
        defer { close(listener.fd) }
        let live = try startLive(["-i", "lo", "--db", db, "--flush-every", "200ms", "--duration", "2s",
                                  "--filter", "tcp port \(listener.port)", "--on-finding", command])
        #expect(eventually { query(db, "SELECT status FROM captures")?.first?.first == .text("running") })
        // Two clients of a service on an uncommon (ephemeral) port: an uncommon_port finding.
        for _ in 0..<2 { _ = Loopback.connection(to: listener) }
        #expect(eventually { (query(db, "SELECT COUNT(*) FROM flows")?.first?.first?.int ?? 0) >= 2 })
        let flushesWhileRunning = eventually(1.5) { (query(db, "SELECT packets FROM captures")?.first?.first?.int ?? 0) > 0 }
        let run = live.finish()
        #expect(run.status == 0 && flushesWhileRunning, "\(run.err)")
        #expect(run.err.contains("on-finding: '\(command)' \(report) for uncommon_port 127.0.0.1 tcp \(listener.port)"), "\(run.err)")
    }

    @Test func stopsAtCountAndOnSIGTERM() throws {
        let dir = TemporaryDirectory(), db = dir.file("live.db")
        let receiver = Loopback.bound(stream: false)
        defer { close(receiver.fd) }
        let counted = try startLive(["-i", "lo", "--db", db, "--count", "4", "--filter", "udp port \(receiver.port)"])
        #expect(eventually { query(db, "SELECT status FROM captures")?.first?.first == .text("running") })
        _ = Loopback.datagrams(6, size: 10, to: receiver.port)
        let run = counted.finish()
        #expect(run.status == 0 && run.out.contains("packet count reached") && run.out.contains("packets 4,"), "\(run.out)\(run.err)")

        let terminated = try startLive(["-i", "lo", "--db", db, "--duration", "1h", "--filter", "udp port \(receiver.port)"])
        #expect(eventually { query(db, "SELECT COUNT(*) FROM captures WHERE status = 'running'")?.first?.first == .int(1) })
        _ = Loopback.datagrams(3, size: 10, to: receiver.port)
        terminated.process.terminate()
        let second = terminated.finish()
        #expect(second.status == 0 && second.out.contains("capture 2: lo") && second.out.contains("packets 3,"), "\(second.out)\(second.err)")
        #expect(query(db, "SELECT id, status, packets FROM captures ORDER BY id") ==
                [[.int(1), .text("complete"), .int(4)], [.int(2), .text("complete"), .int(3)]])
        let captures = try JSONSerialization.jsonObject(with: Data(try portscope(["captures", "--db", db, "--format", "json"]).out.utf8)) as! [[String: Any]]
        #expect(captures.allSatisfy { $0["interface"] as? String == "lo" && $0["file"] is NSNull && $0["format"] as? String == "live" })
        #expect(captures.allSatisfy { ($0["received"] as? Int ?? 0) >= ($0["packets"] as? Int ?? .max) && $0["dropped_kernel"] as? Int == 0 })
    }

    @Test func dropsPrivilegesToUser() throws {
        let dir = TemporaryDirectory()
        chmod(dir.path, 0o777)
        let db = dir.file("live.db")
        let run = try portscope(["live", "-i", "lo", "--db", db, "--user", "nobody", "--duration", "300ms"])
        #expect(run.status == 0, "\(run.err)")
        // The database was created after the switch, so it belongs to the user.
        var info = stat()
        #expect(stat(db, &info) == 0 && info.st_uid == getpwnam("nobody")!.pointee.pw_uid)
        let unknown = try portscope(["live", "-i", "lo", "--db", dir.file("x.db"), "--user", "no-such-user-here"])
        #expect(unknown.status != 0 && unknown.err.contains("cannot run as user 'no-such-user-here': no such user"))
    }

    /// Each failure: one clear line, a non-zero exit, and no database created.
    @Test(arguments: [
        (["-i", "nosuchif0"], "nosuchif0: no such interface (see 'portscope interfaces')"),
        (["-i", "lo", "--filter", "tcp port"], "bad filter 'tcp port'"),
        (["-i", "lo", "--snaplen", "10"], "--snaplen must be between 64 and 65535"),
        (["-i", "lo", "--duration", "soon"], "--duration"),
        (["-i", "lo", "--flush-every", "0s"], "--flush-every"),
    ])
    func badArguments(arguments: [String], message: String) throws {
        let dir = TemporaryDirectory(), db = dir.file("live.db")
        let run = try portscope(["live", "--db", db] + arguments)
        #expect(run.status != 0)
        #expect(run.err.contains(message), "\(run.err)")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test func withoutPrivilegeSaysHowToGrantIt() throws {
        let dir = TemporaryDirectory(), db = dir.file("live.db")
        // A copy nobody can reach, wherever the build directory lies.
        chmod(dir.path, 0o755)
        let binary = dir.file("portscope")
        try FileManager.default.copyItem(atPath: portscopeBinary.path, toPath: binary)
        let run = try runProgram("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                                                      binary, "live", "-i", "lo", "--db", db])
        #expect(run.status != 0)
        #expect(run.err.contains("lo: no permission to capture; run as root, or grant the capabilities once with 'sudo setcap cap_net_raw,cap_net_admin=eip "), "\(run.err)")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test(.enabled(if: downInterface != nil, "no interface here is down"))
    func interfaceDown() throws {
        let name = try #require(downInterface)
        let run = try portscope(["live", "-i", name, "--db", TemporaryDirectory().file("x.db")])
        #expect(run.status != 0 && run.err.contains("\(name): interface is down; bring it up first (ip link set \(name) up)"), "\(run.err)")
    }

    @Test func interfacesListsLoopback() throws {
        let run = try portscope(["interfaces", "--format", "json"])
        #expect(run.status == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as! [[String: Any]]
        let lo = try #require(rows.first { $0["name"] as? String == "lo" })
        #expect((lo["flags"] as? String)?.contains("loopback") == true)
        // libpcap's flags in words a user knows: lo has no link to sense.
        #expect(lo["flags"] as? String == "up,running,loopback,virtual", "\(lo)")
        #expect(!run.out.contains("not applicable") && rows.allSatisfy { ($0["flags"] as? String)?.hasPrefix("up") == true
                                                                        || ($0["flags"] as? String)?.hasPrefix("down") == true })
        #expect((lo["addresses"] as? String)?.contains("127.0.0.1") == true)
    }
}

/// An existing network interface that is administratively down (IFF_UP clear in sysfs), if any.
let downInterface: String? = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
    return names.sorted().first { name in
        guard let text = try? String(contentsOfFile: "/sys/class/net/\(name)/flags", encoding: .utf8),
              let flags = Int(text.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst(2), radix: 16) else { return false }
        return flags & 0x1 == 0
    }
}()

struct LiveStatusLineTests {
    @Test func showsPacketsFlowsDropsAndTopPorts() {
        var status = LiveStatus(captureID: 1, packets: 1200, flowsInMemory: 40, storedFlows: 35,
                                statistics: LiveCaptureStatistics(received: 1200, droppedByKernel: 0, droppedByInterface: 0),
                                flushes: 3, flushError: nil)
        #expect(LiveCommand.describe(status, topPorts: [("tcp/443", 800), ("udp/53", 300)])
                == "1200 packets, 35 flows stored, 40 in memory, no drops | top tcp/443 800, udp/53 300")
        status.statistics.droppedByKernel = 7
        status.statistics.droppedByInterface = 1
        status.flushError = "r.db: database or disk is full"
        #expect(LiveCommand.describe(status, topPorts: [])
                == "1200 packets, 35 flows stored, 40 in memory, DROPPED 8 | flush failed, will retry: r.db: database or disk is full")
        // With --clickhouse: up to date, or the backlog and why.
        status.flushError = nil
        var sending = ClickHouseFeed.State()
        #expect(LiveCommand.describe(status, topPorts: [], clickhouse: sending).hasSuffix("DROPPED 8 | ClickHouse up to date"))
        sending.backlog = 12
        sending.error = "cannot connect to ch:8123: Connection refused"
        #expect(LiveCommand.describe(status, topPorts: [], clickhouse: sending)
                    .hasSuffix("DROPPED 8 | ClickHouse backlog 12 flushes (cannot connect to ch:8123: Connection refused)"))
        let server = ClickHouseServer(url: "http://ops:pw@ch:8123")!
        #expect(LiveCommand.describe(sending, server: server) == "ClickHouse at http://ch:8123: cannot connect to ch:8123: Connection "
                    + "refused; the local database keeps the backlog (12 flushes) until it answers")
    }

    /// The busiest ports come from the services report by column name, wherever the columns stand.
    @Test func busiestPortsFromTheServicesReport() throws {
        let dir = TemporaryDirectory()
        try analyze(sample("office-monday.pcap"), in: dir)
        let store = try CaptureStore(readingFrom: dir.file("test.db"))
        let services = try Reports.services(store, filter: ReportFilter(), sort: .packets, registry: .iana)
        let busiest = LiveCommand.busiestPorts(services)
        #expect(busiest.map { "\($0.port) \($0.packets)" } == ["tcp/80 24", "tcp/443 16", "tcp/22 16"])
    }
}
