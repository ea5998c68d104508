import Foundation
import PortScopeSQLite
import PortScopeStore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a database must show after anything: it opens, passes `PRAGMA integrity_check`, still
/// holds `kept` (capture id → packets) as committed, and every other capture row is whole: its
/// `flows` figure equals its flow rows. Returns the ids of the other captures.
func checkSurvived(_ db: String, kept: [Int64: Int64], sourceLocation: SourceLocation = #_sourceLocation) throws -> [Int64] {
    let store = try CaptureStore(readingFrom: db)
    #expect(try store.rows("PRAGMA integrity_check") == [[.text("ok")]], sourceLocation: sourceLocation)
    var others: [Int64] = []
    for row in try store.rows("SELECT id, packets, flows, (SELECT COUNT(*) FROM flows WHERE capture_id = captures.id), status FROM captures") {
        guard case .int(let id) = row[0], case .int(let packets) = row[1] else { continue }
        if let expected = kept[id] {
            #expect(packets == expected, "capture \(id)", sourceLocation: sourceLocation)
        } else {
            others.append(id)
        }
        #expect(row[2] == row[3], "capture \(id): flows figure against its rows", sourceLocation: sourceLocation)
    }
    #expect(Set(kept.keys).isSubset(of: Set(try store.rows("SELECT id FROM captures").compactMap {
        if case .int(let id) = $0[0] { id } else { nil }
    })), sourceLocation: sourceLocation)
    return others
}

/// Sends SIGKILL to `program` after `seconds`, then reaps it; whether the signal ended it
/// (rather than the program finishing first).
@discardableResult
func kill9(_ program: RunningProgram, after seconds: Double) -> Bool {
    usleep(UInt32(seconds * 1_000_000))
    kill(program.process.processIdentifier, SIGKILL)
    _ = program.finish()
    return program.process.terminationReason == .uncaughtSignal
}

@Suite(.serialized)
struct CrashSafetyTests {
    /// Packets in `bigCapture`: per round, a session of 12 packets, a UDP request and reply, a refused probe.
    static let packets: Int64 = 2000 * (12 + 2 + 2)

    /// A capture big enough that analyze takes a while: 32,000 packets, 6,000 flows.
    static func bigCapture(_ dir: TemporaryDirectory) throws -> String {
        var t = TrafficCapture()
        for i in 0..<2000 {
            t.session("10.0.\(i / 250).\(i % 250 + 1)", 40000 + i, "192.168.1.80", [80, 443, 22][i % 3], exchanges: 3)
            t.udpExchange("10.1.\(i / 250).\(i % 250 + 1)", 50000 + i, "192.168.1.53", 53)
            t.synProbe("203.0.113.66", 61000, "192.168.1.80", 1000 + i, answer: .reset)
        }
        let path = dir.file("big.pcap")
        try t.write(to: path)
        return path
    }

    /// `kill -9` at moments spread over a whole analyze (reading, deciding, writing, committing):
    /// each time the database opens whole, with the captures committed before, and the new
    /// capture either absent or complete.
    @Test func killDuringAnalyze() throws {
        let dir = TemporaryDirectory(), db = dir.file("k.db"), big = try Self.bigCapture(dir)
        #expect(try portscope(["analyze", sample("http.pcap"), sample("dns.pcap"), "--db", db]).status == 0)
        let kept: [Int64: Int64] = [1: 16, 2: 8]
        let start = Date()
        let full = try portscope(["analyze", big, "--db", dir.file("timing.db")])
        #expect(full.status == 0)
        let duration = Date().timeIntervalSince(start)
        var completed = 0, killed = 0
        for step in 0..<10 {
            let run = try RunningProgram(portscopeBinary.path, ["analyze", big, "--db", db])
            if kill9(run, after: duration * Double(step) / 9 * 1.1) { killed += 1 }
            let others = try checkSurvived(db, kept: kept)
            for id in others {
                let store = try CaptureStore(readingFrom: db)
                let row = try store.rows("SELECT status, packets FROM captures WHERE id = ?1", [.int(id)])
                #expect(row == [[.text("complete"), .int(Self.packets)]], "\(row)")
                completed += 1
            }
            if !others.isEmpty { break }  // once stored, later runs only find it already there
        }
        #expect(completed <= 1 && killed >= 5, "killed \(killed) of 10")
        // The database is still good for work.
        #expect(try portscope(["analyze", big, "--db", db]).status == 0)
        #expect(try checkSurvived(db, kept: kept).count == 1)
    }
}

/// A small tmpfs mounted for a test (root only): a disk that fills up, or turns read-only.
final class SmallFileSystem {
    let path: String
    private let dir = TemporaryDirectory()

    struct MountFailed: Error { var message: String }

    init(size: String) throws {
        path = dir.file("fs")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let run = try runProgram("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        guard run.status == 0 else { throw MountFailed(message: run.err) }
    }

    /// Whether this machine lets the tests mount one (root, and a container allowed to mount).
    static let available: Bool = geteuid() == 0 && (try? SmallFileSystem(size: "64k")) != nil

    func remount(readOnly: Bool) throws {
        #expect(try runProgram("/bin/mount", ["-o", "remount,\(readOnly ? "ro" : "rw")", path]).status == 0)
    }

    deinit { _ = try? runProgram("/bin/umount", [path]) }
}

/// Faults that need root: `kill -9` during live flushes, a full disk, a read-only database.
@Suite(.serialized, .enabled(if: canCapture, "needs root (live capture, mounting a small file system)"))
struct FaultTests {
    @Test func killDuringLiveFlushes() throws {
        let dir = TemporaryDirectory(), db = dir.file("live.db")
        #expect(try portscope(["analyze", sample("http.pcap"), sample("dns.pcap"), "--db", db]).status == 0)
        let kept: [Int64: Int64] = [1: 16, 2: 8]
        let receiver = Loopback.bound(stream: false)
        defer { close(receiver.fd) }
        for step in 0..<6 {
            let live = try startLive(["-i", "lo", "--db", db, "--flush-every", "100ms", "--filter", "udp port \(receiver.port)"])
            #expect(eventually { (query(db, "SELECT COUNT(*) FROM captures")?.first?.first).map { $0 == .int(Int64(3 + step)) } ?? false })
            _ = Loopback.datagrams(300, size: 100, to: receiver.port)
            #expect(kill9(live, after: 0.05 + 0.06 * Double(step)))
            let others = try checkSurvived(db, kept: kept)
            #expect(others.count == step + 1)
            // A killed run is never shown complete: it stays `running` with its last flush's
            // figures, and `captures` shows it interrupted (its writer is gone).
            #expect(query(db, "SELECT DISTINCT status FROM captures WHERE id > 2") == [[.text("running")]])
            let shown = try JSONSerialization.jsonObject(with: Data(try portscope(["captures", "--db", db, "--format", "json"]).out.utf8)) as! [[String: Any]]
            #expect(shown.map { $0["status"] as? String } == ["complete", "complete"] + Array(repeating: "interrupted", count: step + 1))
        }
    }

    /// A live capture of UDP to `port` into `db`, running; another connection holds the
    /// database's write lock (a stalled disk, as the capture's flushes see it) while `stall` runs.
    private func liveCapture(_ db: String, port: UInt16, stalledWhile stall: () -> Void) throws -> RunningProgram {
        let live = try startLive(["-i", "lo", "--db", db, "--flush-every", "100ms", "--filter", "udp port \(port)"])
        #expect(eventually { query(db, "SELECT status FROM captures")?.first?.first == .text("running") })
        let blocker = try Database(path: db)
        try blocker.execute("BEGIN EXCLUSIVE")
        stall()
        try blocker.execute("COMMIT")
        return live
    }

    /// Another writer holds the database for a while: the flush waits, the kernel keeps what
    /// arrives meanwhile, and every datagram is stored.
    @Test func aStalledFlushLosesNoPacket() throws {
        let dir = TemporaryDirectory(), db = dir.file("stall.db")
        let receiver = Loopback.bound(stream: false)
        defer { close(receiver.fd) }
        let live = try liveCapture(db, port: receiver.port) {
            for _ in 0..<5 {
                _ = Loopback.datagrams(200, size: 100, to: receiver.port)
                usleep(300_000)
            }
        }
        _ = Loopback.datagrams(200, size: 100, to: receiver.port)
        #expect(eventually { query(db, "SELECT SUM(packets_c2s + packets_s2c) FROM flows")?.first?.first == .int(1200) })
        kill(live.process.processIdentifier, SIGINT)
        let run = live.finish()
        #expect(run.status == 0 && run.out.contains("dropped by kernel 0"), "\(run.out)\(run.err)")
        #expect(query(db, "SELECT packets, status FROM captures") == [[.int(1200), .text("complete")]])
    }

    /// More than the kernel's buffer arrives while a flush is stalled: the kernel drops, and the
    /// drops are stored with the capture and printed, never hidden.
    @Test func kernelDropsAreReported() throws {
        let dir = TemporaryDirectory(), db = dir.file("drops.db")
        let receiver = Loopback.bound(stream: false)
        defer { close(receiver.fd) }
        let live = try liveCapture(db, port: receiver.port) {
            usleep(300_000)  // the next flush now waits for the lock
            for _ in 0..<4 { _ = Loopback.datagrams(50_000, size: 200, to: receiver.port) }
        }
        usleep(500_000)
        kill(live.process.processIdentifier, SIGINT)
        let run = live.finish()
        let row = query(db, "SELECT packets, dropped_kernel FROM captures")?.first
        guard case .int(let stored) = row?[0], case .int(let dropped) = row?[1] else {
            Issue.record("no capture row: \(String(describing: row))")
            return
        }
        #expect(dropped > 0 && stored + dropped >= 200_000 && stored < 200_000, "stored \(stored), dropped \(dropped)")
        #expect(run.out.contains("dropped by kernel \(dropped)"), "\(run.out)")
    }

    /// `live --max-flows`: about 3,000 flows (one datagram from each of 3,000 sockets; the kernel
    /// reuses a few source ports) against a bound of 1,000 and a flush interval too long to help:
    /// evictions keep memory under the bound, every datagram is stored, and they are counted.
    @Test func liveEvictsAtMaxFlows() throws {
        let dir = TemporaryDirectory(), db = dir.file("evict.db")
        let receiver = Loopback.bound(stream: false)
        defer { close(receiver.fd) }
        let live = try startLive(["-i", "lo", "--db", db, "--flush-every", "1h", "--max-flows", "1000",
                                  "--filter", "udp port \(receiver.port)"])
        #expect(eventually { query(db, "SELECT status FROM captures")?.first?.first == .text("running") })
        for _ in 0..<3000 { _ = Loopback.datagrams(1, size: 50, to: receiver.port) }
        #expect(eventually { query(db, "SELECT COUNT(*) FROM flows")?.first?.first.map { $0 != .int(0) } ?? false })
        kill(live.process.processIdentifier, SIGINT)
        let run = live.finish()
        #expect(run.status == 0, "\(run.err)")
        #expect(query(db, "SELECT packets, (SELECT SUM(packets_c2s + packets_s2c) FROM flows) FROM captures") == [[.int(3000), .int(3000)]])
        #expect(query(db, "SELECT flows >= 2500 AND flows = (SELECT COUNT(*) FROM flows) FROM captures") == [[.int(1)]])
        let evicted = query(db, "SELECT packets FROM capture_anomalies WHERE reason = 'flow.evicted'")?.first?.first
        #expect(evicted != nil && evicted == query(db, "SELECT COUNT(*) FROM flows WHERE end_reason = 'evicted'")?.first?.first)
    }

    @Test(.enabled(if: SmallFileSystem.available, "mounting a small file system is not allowed here"))
    func fullDiskIsAClearErrorAndLosesNothing() throws {
        let fs = try SmallFileSystem(size: "600k"), db = fs.path + "/p.db"
        let dir = TemporaryDirectory(), big = try CrashSafetyTests.bigCapture(dir)
        #expect(try portscope(["analyze", sample("http.pcap"), "--db", db]).status == 0)
        let full = try portscope(["analyze", big, "--db", db])
        #expect(full.status == 1 && full.err.hasPrefix("Error: ") && full.err.contains("full")
                && full.err.split(separator: "\n").count == 1, "\(full.err)")
        #expect(try checkSurvived(db, kept: [1: 16]).isEmpty)
        #expect(try portscope(["services", "--db", db]).out.contains("http"))
    }

    @Test(.enabled(if: SmallFileSystem.available, "mounting a small file system is not allowed here"))
    func readOnlyDatabaseIsAClearErrorAndLosesNothing() throws {
        let fs = try SmallFileSystem(size: "8m"), db = fs.path + "/p.db"
        #expect(try portscope(["analyze", sample("http.pcap"), "--db", db]).status == 0)
        try fs.remount(readOnly: true)
        let denied = try portscope(["analyze", sample("dns.pcap"), "--db", db])
        #expect(denied.status == 1 && denied.err.hasPrefix("Error: ") && denied.err.split(separator: "\n").count == 1, "\(denied.err)")
        try fs.remount(readOnly: false)
        #expect(try checkSurvived(db, kept: [1: 16]).isEmpty)
    }
}

/// Databases tampered with by hand or damaged on disk: every command ends with a report or a
/// one-line error (exit 0 or 1), never a trap.
@Suite(.serialized)
struct TamperedDatabaseTests {
    static let tamperings: [(name: String, sql: String)] = [
        ("a table dropped", "DROP TABLE host_services"),
        ("flow columns of the wrong type", """
            UPDATE flows SET client_addr = 42, server_addr = x'00ff', server_port = 'x', first_ns = 'y', last_ns = 1.5,
                app_proto = 123, app_name = x'ffff', decided_by = 'no such rule', opened_by = 7, tcp_flags_c2s = 99
            """),
        ("capture columns of the wrong type", "UPDATE captures SET packets = 'many', first_ns = 'then', status = 5, flow_rows = 'x'"),
        ("values out of range", """
            UPDATE flows SET first_ns = 9223372036854775807, last_ns = -9223372036854775808, server_port = 99999999,
                client_port = -5, packets_c2s = -1, bytes_s2c = 9223372036854775807;
            UPDATE host_services SET server_port = 70000, flows = -3, first_ns = -9223372036854775808
            """),
        ("a newer schema", "PRAGMA user_version = 99"),
        ("another program's table", "CREATE TABLE other (x); PRAGMA user_version = 0"),
    ]

    static let commands: [[String]] = [
        ["captures"], ["services"], ["flows"], ["hosts"], ["unexpected", "--explain"], ["diff", "1", "2"],
        ["services", "--format", "json"], ["hosts", "--format", "csv"],
    ]

    /// Runs every command (and an analyze) on `db`: each ends with 0, or 1 and one line on stderr.
    func everyCommandEndsCleanly(_ db: String, _ label: String, dir: TemporaryDirectory) throws {
        for command in Self.commands + [["analyze", sample("udp.pcap")], ["policy", "init", "-o", dir.file("p\(label.hashValue).txt")]] {
            let run = try portscope(command + ["--db", db])
            #expect(run.status == 0 || (run.status == 1 && run.err.hasPrefix("Error: ") && run.err.split(separator: "\n").count == 1),
                    "\(label): \(command.joined(separator: " ")): status \(run.status): \(run.err)")
        }
    }

    static func officeDatabase(_ dir: TemporaryDirectory, _ name: String) throws -> String {
        let db = dir.file(name)
        #expect(try portscope(["analyze", sample("office-monday.pcap"), sample("office-tuesday.pcap"), "--db", db]).status == 0)
        return db
    }

    @Test(arguments: tamperings.indices)
    func tamperedByHand(_ index: Int) throws {
        let (name, sql) = Self.tamperings[index]
        let dir = TemporaryDirectory(), db = try Self.officeDatabase(dir, "t.db")
        try Database(path: db).execute(sql)
        try everyCommandEndsCleanly(db, name, dir: dir)
    }

    @Test(arguments: ["cut in half", "garbage inside", "zeroed header"])
    func damagedOnDisk(_ damage: String) throws {
        let dir = TemporaryDirectory(), db = try Self.officeDatabase(dir, "d.db")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: db))
        switch damage {
        case "cut in half": bytes = bytes.prefix(bytes.count / 2)
        case "garbage inside":
            var generator = SystemRandomNumberGenerator()
            for i in 4096..<min(bytes.count, 16384) { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        default: bytes.replaceSubrange(0..<100, with: [UInt8](repeating: 0, count: 100))
        }
        try bytes.write(to: URL(fileURLWithPath: db))
        try everyCommandEndsCleanly(db, damage, dir: dir)
    }
}
