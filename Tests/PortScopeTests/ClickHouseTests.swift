import Foundation
@testable import PortScopeClickHouse
import PortScopeSQLite
import PortScopeStore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real ClickHouse server of the test's own (`scripts/clickhouse-scratch`: Debian's
/// clickhouse-server, installed when missing, on loopback and free ports, in a temporary directory).
final class ClickHouseInstance {
    let dir = TemporaryDirectory()
    private(set) var port = 0
    static let script = repositoryRoot + "/scripts/clickhouse-scratch"

    /// Whether a server can run here: installed, or installable (root with apt-get).
    static let canRun = FileManager.default.isExecutableFile(atPath: "/usr/sbin/clickhouse-server")
        || FileManager.default.isExecutableFile(atPath: "/usr/bin/clickhouse-server")
        || (geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get"))

    init() throws {
        try start()
    }

    deinit { stop() }

    /// Starts it, again with the same data after `stop()`.
    func start() throws {
        let run = try runProgram(Self.script, ["start", dir.path])
        guard run.status == 0, let port = Int(run.out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CLIFailure("clickhouse-scratch start: \(run.err)")
        }
        self.port = port
    }

    func stop() {
        _ = try? runProgram(Self.script, ["stop", dir.path])
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// `sql`'s answer (TabSeparated).
    func query(_ sql: String) throws -> String {
        try ClickHouseServer(url: url)!.query(sql)
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The figures a fleet reads, each as one query that runs on SQLite and on ClickHouse alike:
/// per key, summed over the captures (in ClickHouse, over every row of the key, as any query there
/// must read a table whose rows are changes).
enum FleetFigures {
    /// The queries, reading each table as `from` names it and only the rows `sensor` selects.
    static func queries(from: (String) -> String, sensor: String) -> [String] {
        [
            """
            SELECT proto, server_addr, server_port, client_addr, sum(flows), sum(handshakes), sum(packets_c2s), sum(bytes_c2s),
                   sum(packets_s2c), sum(bytes_s2c), min(first_ns), max(last_ns)
            FROM \(from("host_services")) WHERE \(sensor) GROUP BY proto, server_addr, server_port, client_addr
            HAVING sum(flows) <> 0 ORDER BY proto, server_addr, server_port, client_addr
            """,
            """
            SELECT proto, server_addr, server_port, start_ns, sum(packets), sum(bytes), sum(flows) FROM \(from("time_buckets"))
            WHERE \(sensor) GROUP BY proto, server_addr, server_port, start_ns HAVING sum(packets) <> 0
            ORDER BY proto, server_addr, server_port, start_ns
            """,
            """
            SELECT proto, client_addr, client_port, server_addr, server_port, first_ns, last_ns, packets_c2s, bytes_c2s,
                   packets_s2c, bytes_s2c, decided_by, end_reason, coalesce(community_id, '-'), coalesce(app_proto, '-')
            FROM \(from("flows")) WHERE \(sensor) ORDER BY proto, client_addr, client_port, server_addr, server_port, first_ns
            """,
            "SELECT count(*), sum(packets), sum(flows) FROM \(from("captures")) WHERE \(sensor)",
        ]
    }

    /// The figures of every capture of the database at `path`, as TabSeparated text.
    static func local(_ path: String) throws -> [String] {
        let store = try CaptureStore(readingFrom: path)
        return try queries(from: { $0 }, sensor: "1").map { sql in
            try store.rows(sql).map { row in
                row.map { value in
                    switch value {
                    case .int(let v): String(v)
                    case .text(let t): t
                    case .double(let d): String(d)
                    case .null: "\\N"
                    }
                }.joined(separator: "\t") + "\n"
            }.joined()
        }
    }

    /// The figures of `sensor` in ClickHouse (the latest row of each capture).
    static func clickHouse(_ server: ClickHouseInstance, sensor: String) throws -> [String] {
        try queries(from: { "portscope.\($0)" + ($0 == "captures" ? " FINAL" : "") }, sensor: "sensor = '\(sensor)'").map {
            try server.query($0)
        }
    }

    /// The sum of the figures of `sensors` in ClickHouse and of the databases at `paths`, per table.
    static func totals(_ server: ClickHouseInstance, sensors: [String]) throws -> String {
        let list = sensors.map { "'\($0)'" }.joined(separator: ", ")
        return try server.query("""
            SELECT (SELECT sum(packets_c2s + packets_s2c) FROM portscope.host_services WHERE sensor IN (\(list))),
                   (SELECT sum(packets) FROM portscope.time_buckets WHERE sensor IN (\(list))),
                   (SELECT count() FROM portscope.flows WHERE sensor IN (\(list)))
            """)
    }
}

/// `export --clickhouse` and `live --clickhouse` against a real server.
@Suite(.serialized, .enabled(if: ClickHouseInstance.canRun, "ClickHouse tests need clickhouse-server (or root with apt-get to install it)"))
struct ClickHouseTests {
    @Test func urlsAndCredentials() {
        let server = ClickHouseServer(url: "http://ops:pw@db.example:9123/", environment: ["CLICKHOUSE_USER": "other"])
        #expect(server?.host == "db.example" && server?.port == 9123 && server?.description == "http://db.example:9123")
        #expect(ClickHouseServer(url: "https://db.example") == nil && ClickHouseServer(url: "http://:80") == nil)
        #expect(ClickHouseServer.redacted("http://ops:pw@db.example") == "http://ops:…@db.example")
        #expect(ClickHouseServer.redacted("https://ops:pw@db.example") == "https://ops:…@db.example")
        #expect(ClickHouseExport.field(.text("a\tb\\c\nd")) == "a\\tb\\\\c\\nd" && ClickHouseExport.field(.null) == "\\N")
    }

    /// Two databases as two sensors: every figure in ClickHouse is the SQLite figure; exporting
    /// again sends nothing; an export broken off midway is completed, not doubled; merges keep it.
    @Test(.timeLimit(.minutes(5))) func twoSensorsAddUpAndNothingDoubles() throws {
        let server = try ClickHouseInstance(), dir = TemporaryDirectory()
        let databases = [("north", [sample("office-monday.pcap"), sample("dns.pcap")]),
                         ("south", [sample("office-tuesday.pcap"), sample("http.pcap"), sample("vlan.pcap")])]
        for (sensor, files) in databases {
            let db = dir.file("\(sensor).db")
            #expect(try portscope(["analyze"] + files + ["--db", db, "--quiet"]).status == 0)
            let run = try portscope(["export", "--db", db, "--clickhouse", server.url, "--sensor", sensor])
            #expect(run.status == 0 && run.out.hasPrefix("\(files.count) captures sent to \(server.url)/portscope"), "\(run.out)\(run.err)")
        }
        func level(_ sensor: String, _ db: String) throws {
            let there = try FleetFigures.clickHouse(server, sensor: sensor), here = try FleetFigures.local(db)
            for (a, b) in zip(there, here) { #expect(a == b, "\(sensor): ClickHouse\n\(a)\nSQLite\n\(b)") }
            #expect(here.allSatisfy { !$0.isEmpty })
        }
        for (sensor, _) in databases { try level(sensor, dir.file("\(sensor).db")) }
        let before = try FleetFigures.totals(server, sensors: ["north", "south"])

        // Again: nothing sent, nothing changed.
        for (sensor, files) in databases {
            let run = try portscope(["export", "--db", dir.file("\(sensor).db"), "--clickhouse", server.url, "--sensor", sensor])
            #expect(run.out == "0 captures sent to \(server.url)/portscope (0 rows), \(files.count) already there\n", "\(run.out)")
        }
        #expect(try FleetFigures.totals(server, sensors: ["north", "south"]) == before)

        // An export that broke off: some of each table's rows there, no capture rows. The next
        // export sends what is missing and no more.
        for table in ["host_services", "time_buckets", "flows"] {
            let columns = try server.query("DESCRIBE TABLE portscope.\(table)").split(separator: "\n").dropFirst()
                .map { $0.prefix { $0 != "\t" } }.joined(separator: ", ")
            try server.query("INSERT INTO portscope.\(table) SELECT 'east', \(columns) FROM portscope.\(table) WHERE sensor = 'south' LIMIT 9")
        }
        let resumed = try portscope(["export", "--db", dir.file("south.db"), "--clickhouse", server.url, "--sensor", "east"])
        #expect(resumed.status == 0 && resumed.out.hasPrefix("3 captures sent"), "\(resumed.out)\(resumed.err)")
        try level("east", dir.file("south.db"))

        // Merges inside ClickHouse change no sum.
        for table in ClickHouseTable.all { try server.query("OPTIMIZE TABLE portscope.\(table.name) FINAL") }
        for (sensor, _) in databases { try level(sensor, dir.file("\(sensor).db")) }
        try level("east", dir.file("south.db"))

        // A merged database exported as one more sensor: the same figures as its two sources'.
        let merged = dir.file("merged.db")
        #expect(try portscope(["merge", dir.file("north.db"), dir.file("south.db"), "--db", merged]).status == 0)
        #expect(try portscope(["export", "--db", merged, "--clickhouse", server.url, "--sensor", "fleet"]).status == 0)
        try level("fleet", merged)
        #expect(try FleetFigures.totals(server, sensors: ["fleet"]) == before)
    }

    /// A server that does not answer: one line naming it, never the password, exit 1, nothing changed.
    @Test func unreachableServerIsOneLine() throws {
        let dir = TemporaryDirectory(), db = dir.file("p.db")
        #expect(try portscope(["analyze", sample("dns.pcap"), "--db", db, "--quiet"]).status == 0)
        let closed = Loopback.bound(stream: true)
        close(closed.fd)
        let run = try portscope(["export", "--db", db, "--clickhouse", "http://ops:s3cret@127.0.0.1:\(closed.port)"])
        #expect(run.status == 1 && run.out.isEmpty)
        #expect(run.err.split(separator: "\n").count == 1 && run.err.contains("ClickHouse at http://127.0.0.1:\(closed.port)")
                && run.err.contains("cannot connect") && !run.err.contains("s3cret"), "\(run.err)")
        let bad = try portscope(["export", "--db", db, "--clickhouse", "https://ops:s3cret@x"])
        #expect(bad.status != 0 && !bad.err.contains("s3cret") && bad.err.contains("not an http://host[:port] URL"), "\(bad.err)")
    }

    /// `live --clickhouse`: the server stopped mid-run, traffic meanwhile kept locally, and the
    /// backlog in ClickHouse whole once it answers again; at the end ClickHouse has the capture as
    /// SQLite does, nothing doubled.
    @Test(.enabled(if: canCapture, "live capture needs root"), .timeLimit(.minutes(5)))
    func liveBacklogArrivesWholeAfterTheServerReturns() throws {
        let server = try ClickHouseInstance(), dir = TemporaryDirectory(), db = dir.file("live.db")
        let listener = Loopback.listener(), receiver = Loopback.bound(stream: false)
        defer { close(listener.fd); close(receiver.fd) }
        let live = try startLive(["-i", "lo", "--db", db, "--flush-every", "200ms", "--clickhouse", server.url, "--sensor", "edge",
                                  "--filter", "tcp port \(listener.port) or udp port \(receiver.port)"])
        #expect(eventually { query(db, "SELECT status FROM captures")?.first?.first == .text("running") })
        let udpPackets = "SELECT sum(packets_c2s + packets_s2c) FROM portscope.host_services WHERE sensor = 'edge' AND proto = 'udp'"
        func clickHouseUDP() -> String? { try? server.query(udpPackets) }

        _ = (0..<3).map { _ in Loopback.connection(to: listener) }
        _ = Loopback.datagrams(10, size: 100, to: receiver.port)
        #expect(eventually(20) { clickHouseUDP() == "10\n" }, "\(clickHouseUDP() ?? "no answer")")

        // ClickHouse goes away; the capture goes on, and the local database has it all.
        server.stop()
        _ = Loopback.datagrams(25, size: 1000, to: receiver.port)
        _ = (0..<2).map { _ in Loopback.connection(to: listener) }
        #expect(eventually { query(db, "SELECT sum(packets_c2s + packets_s2c) FROM host_services WHERE proto = 'udp'") == [[.int(35)]] })
        usleep(1_000_000)  // flushes that cannot be sent

        try server.start()
        #expect(eventually(20) { clickHouseUDP() == "35\n" }, "\(clickHouseUDP() ?? "no answer")")
        _ = Loopback.datagrams(5, size: 50, to: receiver.port)
        usleep(500_000)
        live.process.interrupt()
        let run = live.finish()
        #expect(run.status == 0, "\(run.out)\(run.err)")
        #expect(run.err.contains("the local database keeps the backlog") && run.err.contains("answering again, backlog sent"), "\(run.err)")
        #expect(run.out.contains("clickhouse: sent to \(server.url)/portscope"), "\(run.out)")

        let there = try FleetFigures.clickHouse(server, sensor: "edge"), here = try FleetFigures.local(db)
        for (a, b) in zip(there, here) { #expect(a == b, "ClickHouse\n\(a)\nSQLite\n\(b)") }
        #expect(here[2].split(separator: "\n").count == 8)  // 5 connections, 3 datagram senders
        #expect(try server.query("SELECT status FROM portscope.captures FINAL WHERE sensor = 'edge'") == "complete\n")
    }
}
