import Foundation
import PortScopeIngest
import PortScopeStore
import Testing

/// The store streamed: rows of settled flows written on the second core while the capture is
/// read (`SettledFlows`, `FlowRowStream`). The database must end exactly as the single-threaded
/// path leaves it (the same rows written at the same points on the reading thread), and hold the
/// same flows, sums and buckets as a capture whose rows all wait for the end.
@Suite struct StreamedStoreTests {
    /// Traffic over two minutes in which flows settle while it is read: TCP sessions closed by
    /// FIN and RST, DNS exchanges (side by payload), pings, UDP whose side needs fan-in (never
    /// settled before the end), a session that stays open, and a closed session that gets a late
    /// packet after it settled (its early row is written again whole).
    static func traffic() -> TrafficCapture {
        var t = TrafficCapture()
        t.session("10.0.0.9", 40_999, "10.0.0.80", 8443, exchanges: 1)  // closed early, a late packet follows
        t.tcp("10.0.0.1", 41_000, "10.0.0.80", 80, [.syn], seq: 100)  // stays open to the end
        t.tcp("10.0.0.80", 80, "10.0.0.1", 41_000, [.syn, .ack], seq: 500, ack: 101)
        for round in 0..<12 {
            for n in 0..<6 {
                let client = "10.0.\(round).\(n + 10)"
                t.session(client, 50_000 + round * 10 + n, "10.0.0.80", n % 2 == 0 ? 80 : 443, exchanges: 1 + n % 3)
                t.udpExchange(client, 30_000 + round * 10 + n, "10.0.0.53", 53)
                // One source port to many peers: the side comes from fan-in, learned to the end.
                t.udp("10.0.0.77", 7_777, client, 9_000 + n, payload: 24)
            }
            t.synProbe("10.9.9.9", 60_000 + round, "10.0.0.80", 1_000 + round, answer: round % 2 == 0 ? .reset : .synAck)
            t.ping("10.0.\(round).10", "10.0.0.80")
            t.ping("10.0.0.80", "10.0.\(round).10", reply: true)
            if round == 6 {
                // The closed early session, 70 s later: a retransmitted ACK.
                t.tcp("10.0.0.9", 40_999, "10.0.0.80", 8443, [.ack], seq: 1200, ack: 6100)
            }
            t.micros += 10_000_000  // ten seconds later
        }
        t.tcp("10.0.0.1", 41_000, "10.0.0.80", 80, [.ack], seq: 101, ack: 501)
        return t
    }

    static func options(settleEvery: UInt64?, concurrent: Bool = true, maxFlows: Int? = nil) -> AnalysisOptions {
        var options = AnalysisOptions()
        options.settleEvery = settleEvery
        options.concurrentStore = concurrent
        if let maxFlows { options.pipeline.maxFlows = maxFlows }
        return options
    }

    /// Every stored row of the database's one capture, table by table (the capture row without
    /// what differs by run: when and by whom; flows without their ids when `ids` is false).
    static func contents(_ path: String, ids: Bool = true) throws -> [String: [String]] {
        let store = try CaptureStore(readingFrom: path)
        let tables: [String: String] = [
            "captures": "SELECT * FROM captures",
            "flows": "SELECT * FROM flows ORDER BY id",
            "host_services": "SELECT * FROM host_services ORDER BY proto, server_addr, server_port, client_addr",
            "time_buckets": "SELECT * FROM time_buckets ORDER BY proto, server_port, server_addr, start_ns",
            "capture_anomalies": "SELECT * FROM capture_anomalies ORDER BY reason",
        ]
        var contents: [String: [String]] = [:]
        for (table, sql) in tables {
            let rows = try store.query(sql).map { row in
                row.columns.names.filter { !["analyzed_at", "uid", "writer"].contains($0) && (ids || table != "flows" || $0 != "id") }
                    .map { "\($0)=\(row[$0])" }.joined(separator: " ")
            }
            contents[table] = ids ? rows : rows.sorted()
        }
        return contents
    }

    @Test func streamedRowsEqualTheSingleThreadedPathAndTheRowsWrittenAtTheEnd() throws {
        let dir = TemporaryDirectory()
        let capture = dir.file("traffic.pcap")
        try Self.traffic().write(to: capture)
        var stored: [String: AnalysisResult] = [:]
        for (name, options) in [("concurrent", Self.options(settleEvery: 16)), ("inline", Self.options(settleEvery: 16, concurrent: false)),
                                ("atEnd", Self.options(settleEvery: nil))] {
            let database = TemporaryDirectory()
            stored[name] = try analyze(capture, in: database, options: options)
            try FileManager.default.copyItem(atPath: database.file("test.db"), toPath: dir.file("\(name).db"))
        }
        let concurrent = try Self.contents(dir.file("concurrent.db"))
        #expect(concurrent == (try Self.contents(dir.file("inline.db"))))
        #expect(try Self.contents(dir.file("concurrent.db"), ids: false) == (try Self.contents(dir.file("atEnd.db"), ids: false)))
        #expect(concurrent["flows"]?.count == stored["atEnd"]?.flows)
        // Rows were written early (their ids not in the order of first packets), and the late
        // packet's flow was written again whole: 9 packets, and its late ACK's flag.
        let store = try CaptureStore(readingFrom: dir.file("concurrent.db"))
        let early = try store.query("SELECT packets_c2s + packets_s2c AS packets FROM flows WHERE client_port = 40999").first
        #expect(early?["packets"].int == 9)
        let order = try store.query("SELECT id FROM flows ORDER BY first_ns, id").map { $0["id"].int }
        #expect(order != order.sorted())
        // The summary's per-port totals come from the last flush's own sums even so.
        #expect(stored["concurrent"]?.portTotals != nil)
    }

    @Test func evictionsBetweenStreamedRowsStoreTheSameFlows() throws {
        let dir = TemporaryDirectory()
        let capture = dir.file("traffic.pcap")
        try Self.traffic().write(to: capture)
        for (name, options) in [("concurrent", Self.options(settleEvery: 16, maxFlows: 40)),
                                ("inline", Self.options(settleEvery: 16, concurrent: false, maxFlows: 40)),
                                ("atEnd", Self.options(settleEvery: nil, maxFlows: 40))] {
            let database = TemporaryDirectory()
            let result = try analyze(capture, in: database, options: options)
            #expect(result.flowsHeldAtMost <= 40)
            try FileManager.default.copyItem(atPath: database.file("test.db"), toPath: dir.file("\(name).db"))
        }
        #expect(try Self.contents(dir.file("concurrent.db")) == (try Self.contents(dir.file("inline.db"))))
        #expect(try Self.contents(dir.file("concurrent.db"), ids: false) == (try Self.contents(dir.file("atEnd.db"), ids: false)))
    }

    @Test func aDuplicateLeavesNothingAndAReplacementTakesItsRowsAlong() throws {
        let dir = TemporaryDirectory()
        let capture = dir.file("traffic.pcap")
        try Self.traffic().write(to: capture)
        let first = try analyze(capture, in: dir, options: Self.options(settleEvery: 16))
        let again = try analyze(capture, in: dir, options: Self.options(settleEvery: 16))
        #expect(again.duplicateOf == first.captureID)
        var replace = Self.options(settleEvery: 16)
        replace.replace = true
        let replaced = try analyze(capture, in: dir, options: replace)
        let store = try CaptureStore(readingFrom: dir.file("test.db"))
        #expect(try store.query("SELECT id FROM captures").map { $0["id"].int } == [replaced.captureID])
        for table in ["flows", "host_services", "time_buckets"] {
            #expect(try store.query("SELECT COUNT(*) AS n FROM \(table) WHERE capture_id != :id", [":id": .int(replaced.captureID!)])
                        .first?["n"].int == 0, "\(table)")
        }
        #expect(try store.query("SELECT COUNT(*) AS n FROM flows").first?["n"].int == Int64(first.flows))
        #expect(try store.query("PRAGMA foreign_key_check").isEmpty)
    }

    @Test func capturesOfABatchStreamInTurnAndEndAsOneByOne() throws {
        let dir = TemporaryDirectory()
        let captures = (0..<3).map { dir.file("traffic-\($0).pcap") }
        var traffic = Self.traffic()
        for (n, path) in captures.enumerated() {
            traffic.udp("10.1.1.\(n)", 5_000, "10.0.0.53", 53, payload: 40)  // each file another SHA-256
            try traffic.write(to: path)
        }
        let batch = TemporaryDirectory(), single = TemporaryDirectory()
        _ = try CaptureStore(path: batch.file("test.db"))  // created and migrated before the workers, as `analyze` does
        try AnalysisBatch.run(captures.map { [$0] }, database: batch.file("test.db"), options: Self.options(settleEvery: 16), workers: 2) { _, outcome, _ in
            if case .failure(let error) = outcome { Issue.record("\(error)") }
        }
        for path in captures { try analyze(path, in: single, options: Self.options(settleEvery: 16)) }
        let one = try CaptureStore(readingFrom: batch.file("test.db")), other = try CaptureStore(readingFrom: single.file("test.db"))
        let sql = "SELECT * FROM flows ORDER BY id"
        #expect(try one.query(sql).map(\.values) == (try other.query(sql).map(\.values)))
    }
}

/// Real traffic: every capture of the shared corpus stores the same rows streamed (flows settling
/// every 64 records) as with every row written at the end. Runs with the conformance step.
@Suite(.enabled(if: Corpus.root != nil, "set PORTSCOPE_CORPUS to the shared corpus directory"))
struct StreamedStoreConformanceTests {
    @Test func corpusCapturesStoreTheSameRowsStreamed() throws {
        var writtenEarly = 0
        for name in Corpus.files {
            let streamed = TemporaryDirectory(), atEnd = TemporaryDirectory()
            let path = Corpus.root! + "/" + name
            guard (try? analyze(path, in: atEnd, options: StreamedStoreTests.options(settleEvery: nil))) != nil else { continue }
            try analyze(path, in: streamed, options: StreamedStoreTests.options(settleEvery: 64))
            let rows = try StreamedStoreTests.contents(streamed.file("test.db"), ids: false)
            #expect(rows == (try StreamedStoreTests.contents(atEnd.file("test.db"), ids: false)), "\(name)")
            // Rows written early are numbered before flows that began earlier but settled later.
            if try StreamedStoreTests.contents(streamed.file("test.db")) != StreamedStoreTests.contents(atEnd.file("test.db")) { writtenEarly += 1 }
        }
        #expect(writtenEarly >= 5, "captures with rows written while reading: \(writtenEarly)")
        print("streamed store: \(writtenEarly) corpus captures had rows written while reading")
    }
}
