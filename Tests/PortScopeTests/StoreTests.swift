import Foundation
import PortScopeAnalysis
import PortScopeDecode
import PortScopeFlows
import PortScopeReport
import PortScopeSQLite
@testable import PortScopeStore
import Testing

struct StoreTests {
    @Test func migrationsSetTheSchemaVersionAndWAL() throws {
        let dir = TemporaryDirectory()
        _ = try CaptureStore(path: dir.file("a.db"))
        let db = try Database(path: dir.file("a.db"))
        #expect(try db.userVersion() == Schema.migrations.count)
        #expect(try db.query("PRAGMA journal_mode").map { $0["journal_mode"] } == [.text("wal")])
    }

    @Test func newerSchemaIsRefused() throws {
        let dir = TemporaryDirectory()
        _ = try CaptureStore(path: dir.file("a.db"))
        try Database(path: dir.file("a.db")).execute("PRAGMA user_version = 99")
        #expect(throws: StoreError.self) { _ = try CaptureStore(path: dir.file("a.db")) }
        #expect(throws: StoreError.self) { _ = try CaptureStore(readingFrom: dir.file("a.db")) }
    }

    @Test func foreignDatabaseIsLeftAlone() throws {
        let dir = TemporaryDirectory()
        try Database(path: dir.file("other.db")).execute("CREATE TABLE mine (x); INSERT INTO mine VALUES (1)")
        #expect(throws: StoreError.self) { _ = try CaptureStore(path: dir.file("other.db")) }
        #expect(try Database(path: dir.file("other.db")).query("SELECT count(*) AS n FROM sqlite_master").map { $0["n"] } == [.int(1)])
    }

    @Test func failedTransactionRollsBack() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("t.db"))
        try db.execute("CREATE TABLE t (x INTEGER NOT NULL)")
        struct Boom: Error {}
        #expect(throws: TransactionError<Boom>.self) {
            try db.transaction { () throws(Boom) in
                try? db.execute("INSERT INTO t VALUES (1)")
                throw Boom()
            }
        }
        #expect(try db.query("SELECT count(*) AS n FROM t").map { $0["n"] } == [.int(0)])
    }
}

/// host_services in key order, and what the flow rows say it must hold.
let hostServices = """
    SELECT capture_id, proto, server_addr, server_port, client_addr, flows, handshakes, packets_c2s, bytes_c2s,
           packets_s2c, bytes_s2c, first_ns, last_ns FROM host_services ORDER BY 1, 2, 3, 4, 5
    """
let hostServicesFromFlows = """
    SELECT capture_id, proto, server_addr, server_port, client_addr, COUNT(*), SUM(handshake), SUM(packets_c2s),
           SUM(bytes_c2s), SUM(packets_s2c), SUM(bytes_s2c), MIN(first_ns), MAX(last_ns)
    FROM flows WHERE proto IN ('tcp', 'udp', 'sctp') GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    """

/// Captures written in several flushes (as `live` does) hold what one flush would write.
struct FlushTests {
    /// A TCP connection and UDP exchanges between a few hosts, 1 s apart.
    static let traffic: [DecodedPacket] = [
        packet(.tcp, "10.0.0.1 40000", "10.0.0.9 443", flags: .syn, seq: 1),
        packet(.tcp, "10.0.0.9 443", "10.0.0.1 40000", flags: [.syn, .ack]),
        packet(.tcp, "10.0.0.1 40000", "10.0.0.9 443", flags: .ack),
        packet(.udp, "10.0.0.2 40002", "10.0.0.8 45001"),
        packet(.tcp, "10.0.0.1 40000", "10.0.0.9 443", flags: [.psh, .ack]),
        packet(.udp, "10.0.0.8 45001", "10.0.0.2 40002"),
        packet(.udp, "10.0.0.3 50001", "10.0.0.8 45001"),
        packet(.tcp, "10.0.0.9 443", "10.0.0.1 40000", flags: [.fin, .ack]),
        packet(.udp, "10.0.0.4 50002", "10.0.0.8 45001"),
        packet(.tcp, "10.0.0.1 40000", "10.0.0.9 443", flags: [.fin, .ack]),
    ]

    static func summary(packets: Int) -> CaptureSummary {
        var summary = CaptureSummary(source: "test", kind: "interface", format: "live", linkTypes: ["EN10MB(1)"])
        summary.packets = UInt64(packets)
        return summary
    }

    /// Tracks the first `count` packets of `traffic`, flushing after the packet indices in
    /// `flushes` and at the end (with `statistics`, running ANALYZE after each, as a user may,
    /// which changes SQLite's plans); the aggregates and flows stored.
    static func store(_ path: String, flushingAfter flushes: Set<Int>, count: Int = traffic.count,
                      statistics: Bool = false) throws -> [[Statement.Value]] {
        let store = try CaptureStore(path: path)
        var tracker = FlowTracker()
        var inference = ServiceSideInference(registry: .iana)
        var id: Int64?
        for (i, p) in traffic.prefix(count).enumerated() {
            tracker.add(p, bytes: noBytes, wireLength: 100, time: Int64(i) * 1_000_000_000)
            if flushes.contains(i) || i == count - 1 {
                var progress = summary(packets: i + 1)
                if i < count - 1 { progress.status = "running" }
                id = try flush(&tracker, &inference, into: store, progress, capture: id).captureID
                if statistics { try Database(path: path).execute("ANALYZE") }
            }
        }
        return try store.rows("""
            SELECT proto, server_addr, server_port, client_addr, flows, handshakes, packets_c2s, bytes_c2s,
                   packets_s2c, bytes_s2c, first_ns, last_ns FROM host_services ORDER BY 1, 2, 3, 4
            """) + store.rows("""
            SELECT proto, client_addr, client_port, server_addr, server_port, decided_by, packets_c2s, packets_s2c,
                   handshake, tcp_flags_c2s, tcp_flags_s2c FROM flows ORDER BY 1, 2, 3
            """)
    }

    /// host_services, kept by the store (new rows) and by trigger (updated rows), always sums
    /// the flow rows, however many flushes wrote them and whichever side they moved to.
    @Test(arguments: [Set<Int>(), [3], [0, 4, 6], Set(0..<10)])
    func hostServicesSumTheFlowRows(flushes: Set<Int>) throws {
        let dir = TemporaryDirectory(), path = dir.file("s.db")
        _ = try FlushTests.store(path, flushingAfter: flushes)
        let store = try CaptureStore(path: path)
        #expect(try store.rows(hostServices) == store.rows(hostServicesFromFlows))
        // The time buckets too, per service: a flow decided again (the first UDP flow, once the
        // fan-in at 45001 shows) left none of its traffic under the side it was first written with.
        #expect(try store.rows("""
            SELECT proto, server_addr, server_port, SUM(packets), SUM(bytes), SUM(flows) FROM time_buckets GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """) == store.rows("""
            SELECT proto, server_addr, server_port, SUM(packets_c2s + packets_s2c), SUM(bytes_c2s + bytes_s2c), SUM(flows)
            FROM host_services GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """))
    }

    @Test func flushesAddUpToOneFlush() throws {
        let dir = TemporaryDirectory()
        let once = try FlushTests.store(dir.file("once.db"), flushingAfter: [])
        // Flushed after packet 3, the first UDP flow is written on weak evidence: two unnamed
        // ephemeral ports, so the lower one (the sender's) is taken for the server...
        let early = try FlushTests.store(dir.file("early.db"), flushingAfter: [], count: 4)
        #expect(early.contains([.text("udp"), .text("10.0.0.8"), .int(45001), .text("10.0.0.2"), .int(40002),
                                .text("lower_port"), .int(0), .int(1), .int(0), .null, .null]))
        // ...until the fan-in at 45001 moves it, with its aggregates, to the right side.
        for flushes: Set<Int> in [[3], [0, 4, 6], Set(0..<10)] {
            #expect(try FlushTests.store(dir.file("f\(flushes.count)-\(flushes.min()!).db"), flushingAfter: flushes) == once)
        }
        #expect(try FlushTests.store(dir.file("analyzed.db"), flushingAfter: Set(0..<10), statistics: true) == once)
        #expect(once.contains([.text("udp"), .text("10.0.0.8"), .int(45001), .text("10.0.0.2"), .int(1), .int(0),
                               .int(1), .int(100), .int(1), .int(100), .int(3_000_000_000), .int(5_000_000_000)]))
    }

    /// Flows that leave more closed buckets than one chunk of `TimeBuckets` holds, stored over
    /// flushes with flows freed between them (renumbering the rest), add up to one flush: every
    /// bucket stored once, under its own flow's service.
    @Test func manyClosedBucketsOverFlushes() throws {
        // 1,200 UDP flows to 4 servers (by flow number), one packet a second each: the first 301
        // for 20 s (then idle, and freed by a flush from 25 s on: the rest move by 301, not a
        // multiple of 4), the others for 80 s. 77,000 closed buckets, over one chunk's 65,536.
        func stored(_ path: String, flushAt flushes: Set<Int>) throws -> [[Statement.Value]] {
            let store = try CaptureStore(path: path)
            var tracker = FlowTracker(timeouts: FlowTimeouts(tcp: 5_000_000_000, other: 5_000_000_000))
            var inference = ServiceSideInference(registry: .iana)
            var id: Int64?
            for second in 0..<80 {
                for flow in 0..<1200 where flow >= 301 || second < 20 {
                    let p = packet(.udp, "10.0.\(flow / 200).\(flow % 200 + 1) \(40000 + flow)", "10.9.0.\(flow % 4 + 1) 53")
                    tracker.add(p, bytes: noBytes, wireLength: 100 + UInt32(flow % 7), time: Int64(second) * 1_000_000_000)
                }
                if flushes.contains(second) {
                    tracker.expireIdle(now: Int64(second) * 1_000_000_000)
                    var progress = FlushTests.summary(packets: 0)
                    progress.status = "running"
                    id = try flush(&tracker, &inference, into: store, progress, capture: id).captureID
                    tracker.removeEnded()
                }
            }
            _ = try flush(&tracker, &inference, into: store, FlushTests.summary(packets: 0), capture: id)
            return try store.rows("""
                SELECT proto, server_addr, server_port, start_ns, packets, bytes, flows FROM time_buckets ORDER BY 1, 2, 3, 4
                """)
        }
        let dir = TemporaryDirectory()
        let once = try stored(dir.file("once.db"), flushAt: [])
        #expect(once.count == 4 * 80)
        #expect(once.reduce(0) { $0 + ($1[4].int) } == 301 * 20 + 899 * 80)
        #expect(try stored(dir.file("twice.db"), flushAt: [30]) == once)
        #expect(try stored(dir.file("often.db"), flushAt: [10, 30, 31, 70]) == once)
    }

    @Test func expiredFlowsAreStoredThenFreed() throws {
        let dir = TemporaryDirectory()
        let store = try CaptureStore(path: dir.file("e.db"))
        var tracker = FlowTracker()
        var inference = ServiceSideInference(registry: .iana)
        for (i, p) in FlushTests.traffic.enumerated() { tracker.add(p, bytes: noBytes, wireLength: 100, time: Int64(i) * 1_000_000_000) }
        let id = try flush(&tracker, &inference, into: store, FlushTests.summary(packets: 10), capture: nil).captureID
        tracker.removeEnded()
        #expect(tracker.table.count == 4)
        // Five minutes on, every flow is idle: stored as such, then gone from memory.
        tracker.expireIdle(now: 400_000_000_000)
        _ = try flush(&tracker, &inference, into: store, FlushTests.summary(packets: 10), capture: id)
        tracker.removeEnded()
        #expect(tracker.table.count == 0)
        #expect(try store.rows("SELECT end_reason, COUNT(*) FROM flows GROUP BY 1") == [[.text("idle"), .int(4)]])
        #expect(try store.rows("SELECT flows FROM captures") == [[.int(4)]])
    }

    @Test func failedFlushChangesNothingAndIsRetried() throws {
        let dir = TemporaryDirectory()
        let store = try CaptureStore(path: dir.file("r.db"))
        var tracker = FlowTracker()
        var inference = ServiceSideInference(registry: .iana)
        for (i, p) in FlushTests.traffic.enumerated() { tracker.add(p, bytes: noBytes, wireLength: 100, time: Int64(i) * 1_000_000_000) }
        try store.db.execute("PRAGMA query_only = ON")
        #expect(throws: StoreError.self) {
            _ = try flush(&tracker, &inference, into: store, FlushTests.summary(packets: 10), capture: nil)
        }
        #expect(tracker.table.withFlows { $0.allSatisfy { $0.row == nil } })
        try store.db.execute("PRAGMA query_only = OFF")
        _ = try flush(&tracker, &inference, into: store, FlushTests.summary(packets: 10), capture: nil)
        #expect(try store.rows("SELECT COUNT(*), SUM(packets_c2s + packets_s2c) FROM flows") == [[.int(4), .int(10)]])
        #expect(try store.rows("SELECT COUNT(*) FROM captures") == [[.int(1)]])
    }

    /// A database of schema 1 (service_ports a table) is migrated with its data.
    /// A database as the first release wrote it: one capture, one TCP flow, its service row.
    static func versionOneDatabase(_ path: String) throws {
        let db = try Database(path: path)
        try db.execute(Schema.migrations[0])
        try db.execute("""
            PRAGMA user_version = 1;
            INSERT INTO captures VALUES (1, 'a.pcap', 'file', 'pcap', 1, 'x', 'EN10MB(1)', NULL, 1, 2, 3, 300, 300, 1,
                'complete', NULL, '0.1.0', '2026-01-01T00:00:00Z');
            INSERT INTO host_services VALUES (1, 'tcp', '10.0.0.9', 443, '10.0.0.1', 1, 1, 2, 200, 1, 100, 1, 2);
            INSERT INTO flows VALUES (1, 1, 'tcp', '10.0.0.1', 40000, '10.0.0.9', 443, 'tcp_syn', 1, 2, 2, 200, 1, 100, 0,
                'SA', 'SA', 1, 'open', NULL, NULL);
            """)
    }

    @Test func migratesVersionOneDatabases() throws {
        let dir = TemporaryDirectory(), path = dir.file("v1.db")
        try Self.versionOneDatabase(path)
        let store = try CaptureStore(path: path)
        #expect(try store.rows("PRAGMA user_version") == [[.int(Int64(Schema.migrations.count))]])
        #expect(try store.rows("SELECT port, flows, clients, packets_c2s, bytes_s2c FROM service_ports")
                == [[.int(443), .int(1), .int(1), .int(2), .int(100)]])
        #expect(try store.rows("SELECT packets, received FROM captures") == [[.int(3), .null]])
        // v3: rows from before do not know who opened them; the host view counts the client.
        #expect(try store.rows("SELECT opened_by FROM flows") == [[.null]])
        let hosts = Reports.hosts(try HostView.lines(store, captures: .all, hosts: HostSelection(), local: .privateRanges),
                                  explain: true, registry: .iana)
        #expect(hosts.selecting(["host", "role", "port", "decided_by"]).rows == [
            [.text("10.0.0.1"), .text("uses"), .int(443), .text("tcp_syn 1")],
            [.text("10.0.0.9"), .text("serves"), .int(443), .text("tcp_syn 1")],
        ])
    }
}

/// One flush as the pipeline makes it: the flows' sides decided (`FlushPlan`), the store
/// writing them, the flows remembering their rows.
@discardableResult
func flush(_ tracker: inout FlowTracker, _ inference: inout ServiceSideInference, into store: borrowing CaptureStore,
           _ summary: CaptureSummary, capture: Int64?) throws(StoreError) -> CaptureStore.FlushResult {
    let buckets = tracker.buckets
    let plan = tracker.withMutableFlows { flows, _ in FlushPlan(flows, scope: .all, final: summary.status != "running", inference: &inference) }
    let result = try tracker.withMutableFlows { flows, names throws(StoreError) in
        try store.flush(summary, capture: capture, flows: UnsafeBufferPointer(flows), plan: plan, names: names, buckets: buckets, wholeCapture: capture == nil)
    }
    tracker.recordWritten(plan, rowIDs: result.rowIDs)
    return result
}
