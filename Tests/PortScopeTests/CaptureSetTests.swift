import Foundation
import PortScopeSQLite
import PortScopeStore
import Testing

/// Capture sets as users keep them: directories, rotated files read as one capture, files
/// merged by time, names, and many captures read in parallel with the same result.
@Suite(.serialized)
struct CaptureSetTests {
    /// Conversations that cross file boundaries once rotated: sessions, UDP exchanges, a fan-in
    /// service (the server side decided from the whole), probes.
    static let traffic: TrafficCapture = {
        var t = TrafficCapture()
        for i in 0..<6 {
            t.session("10.0.0.\(10 + i)", 40000 + i, "10.0.0.80", 80, exchanges: 2)
            t.udpExchange("10.0.0.\(10 + i)", 50000 + i, "10.0.0.53", 53)
            t.udpExchange("10.0.0.\(20 + i)", 51000 + i, "10.0.0.90", 47000)  // fan-in on a dynamic port
        }
        for port in [22, 23, 25, 110] { t.synProbe("10.0.0.66", 61000, "10.0.0.80", port, answer: .reset) }
        t.session("10.0.0.10", 40100, "10.0.0.22", 22)
        return t
    }()

    func write(_ files: [[UInt8]], in directory: TemporaryDirectory, prefix: String = "part") throws -> [String] {
        try files.enumerated().map { i, bytes in
            let path = directory.file(String(format: "\(prefix)-%02d.pcap", i))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    func analyzeOK(_ arguments: [String]) throws -> String {
        let run = try portscope(["analyze"] + arguments)
        #expect(run.status == 0, "\(run.err)")
        return run.out
    }

    @Test func rotatedFilesReadAsOneAreTheWholeFile() throws {
        let directory = TemporaryDirectory(), whole = directory.file("whole.db"), set = directory.file("set.db")
        try Self.traffic.write(to: directory.file("whole.pcap"))
        _ = try analyzeOK([directory.file("whole.pcap"), "--db", whole])
        // Given in another order: ordered by their first packets.
        let parts = try write(Self.traffic.rotated(into: 4), in: directory)
        let out = try analyzeOK(Array(parts.reversed()) + ["--as-one", "monday", "--db", set])
        #expect(out.contains("capture 1: monday (pcap, EN10MB(1), 4 files)"))
        #expect(try storedRows(set) == storedRows(whole))
        let store = try CaptureStore(readingFrom: set)
        let members = try store.query("SELECT position, path, size, sha256, packets, first_ns FROM capture_members ORDER BY position")
        #expect(members.map { $0["path"].text } == parts)
        for (member, path) in zip(members, parts) {
            let sha256sum = try runProgram("/usr/bin/sha256sum", [path]).out.prefix(64)
            #expect(member["sha256"].text == String(sha256sum))
        }
        let packets = try store.query("SELECT packets FROM captures").first?["packets"].int
        #expect(members.map { $0["packets"].int }.reduce(0, +) == packets)
        let capture = try #require(store.query("SELECT kind, name, path, source FROM captures").first)
        #expect(capture["kind"].text == "set" && capture["name"].text == "monday" && capture["path"] == .null)
        let listed = try JSONSerialization.jsonObject(with: Data(try portscope(["captures", "--db", set, "--format", "json"]).out.utf8)) as! [[String: Any]]
        #expect(listed.first?["set_name"] as? String == "monday" && listed.first?["files"] as? Int == 4 && listed.first?["file"] is NSNull)
    }

    @Test func overlappingFilesMergeByTime() throws {
        let directory = TemporaryDirectory(), whole = directory.file("whole.db"), set = directory.file("set.db")
        try Self.traffic.write(to: directory.file("whole.pcap"))
        _ = try analyzeOK([directory.file("whole.pcap"), "--db", whole])
        let taps = try write(Self.traffic.interleaved(into: 3), in: directory, prefix: "tap")
        _ = try analyzeOK(taps + ["--as-one", "taps", "--db", set])
        #expect(try storedRows(set) == storedRows(whole))
        // No packet came out of order: they were merged.
        #expect(try CaptureStore(readingFrom: set).query("SELECT packets FROM capture_anomalies WHERE reason = 'file.out_of_order'").isEmpty)
    }

    @Test func aSetIsIdentifiedByItsMembers() throws {
        let directory = TemporaryDirectory(), db = directory.file("s.db")
        let parts = try write(Self.traffic.rotated(into: 3), in: directory)
        _ = try analyzeOK([parts[1], "--db", db])
        let first = try analyzeOK(parts + ["--as-one", "set", "--db", db])
        #expect(first.contains("\(parts[1]): already stored, in capture 1"))
        let again = try analyzeOK([parts[2], parts[0], parts[1], "--as-one", "other name", "--db", db])
        #expect(again.contains("other name: already in the database as capture 2"))
    }

    @Test func directoriesAreTheirCaptureFiles() throws {
        let directory = TemporaryDirectory(), db = directory.file("d.db"), deep = directory.file("rotated")
        try FileManager.default.createDirectory(atPath: deep + "/sub", withIntermediateDirectories: true)
        let parts = try Self.traffic.rotated(into: 3).enumerated().map { i, bytes in
            let path = deep + "/cap-\(3 - i).pcap"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        try Data("notes".utf8).write(to: URL(fileURLWithPath: deep + "/README.txt"))
        try Data(Self.traffic.bytes).write(to: URL(fileURLWithPath: deep + "/sub/all.pcap"))
        let run = try portscope(["analyze", deep, "--db", db])
        #expect(run.status == 0 && run.err.contains("skipped: \(deep)/README.txt: not a pcap or pcapng capture file"))
        #expect(run.out.hasSuffix("3 captures stored, 1 file skipped (not captures)\n"))
        let store = try CaptureStore(readingFrom: db)
        // In name order.
        #expect(try store.query("SELECT source FROM captures ORDER BY id").map { $0["source"].text } == parts.reversed())
        let recursive = try portscope(["analyze", deep, "--recursive", "--db", db, "--quiet"])
        #expect(recursive.out == "1 capture stored, 3 already in the database, 1 file skipped (not captures)\n" && recursive.err.isEmpty)
        #expect(try portscope(["analyze", directory.file("empty-dir-missing"), "--db", db]).status != 0)
    }

    @Test func namesPathsAndFilters() throws {
        let directory = TemporaryDirectory(), db = directory.file("n.db")
        try Self.traffic.write(to: directory.file("t.pcap"))
        _ = try analyzeOK([directory.file("t.pcap"), "--name", "monday", "--db", db])
        let named = try portscope(["flows", "--capture", "monday", "--db", db, "--format", "json"])
        #expect(named.status == 0 && named.out.contains("\"server_port\": 80"))
        let absolute = try #require(CaptureStore(readingFrom: db).query("SELECT path FROM captures").first?["path"].text)
        #expect(absolute.hasPrefix("/") && absolute.hasSuffix("/t.pcap"))
        #expect(try portscope(["services", "--capture", absolute, "--db", db]).status == 0)
        // The same file filtered otherwise is another capture; filtered the same, the same.
        #expect(try analyzeOK([directory.file("t.pcap"), "--filter", "udp", "--db", db]).contains("capture 2:"))
        #expect(try analyzeOK([directory.file("t.pcap"), "--filter", "udp", "--db", db]).contains("already in the database as capture 2"))
        let two = try portscope(["analyze", directory.file("t.pcap"), sample("dns.pcap"), "--name", "x", "--db", db])
        #expect(two.status != 0 && two.err.contains("--name labels one capture"))
    }

    /// Read in parallel or one after another, the database is the same, ids and all.
    @Test func parallelWorkersStoreWhatOneWorkerStores() throws {
        let directory = TemporaryDirectory()
        let files = try write(Self.traffic.rotated(into: 5), in: directory) + [sample("office-monday.pcap"), sample("office-tuesday.pcap"), sample("office-monday.pcap")]
        let one = try analyzeOK(files + ["--jobs", "1", "--db", directory.file("one.db")])
        let two = try analyzeOK(files + ["--jobs", "2", "--db", directory.file("two.db")])
        #expect(one == two && one.hasSuffix("7 captures stored, 1 already in the database\n"))
        for table in ["SELECT id, source, sha256, packets, flows, first_ns, last_ns, status FROM captures ORDER BY id",
                      "SELECT * FROM flows ORDER BY id", hostServices] {
            #expect(try CaptureStore(readingFrom: directory.file("one.db")).rows(table) == CaptureStore(readingFrom: directory.file("two.db")).rows(table))
        }
    }
}

extension CaptureSetTests {
    @Test func forgetRemovesCapturesAndAllTheirRows() throws {
        let directory = TemporaryDirectory(), db = directory.file("f.db")
        let parts = try write(Self.traffic.rotated(into: 2), in: directory)
        _ = try analyzeOK([sample("office-monday.pcap"), sample("dns.pcap"), "--db", db])
        _ = try analyzeOK(parts + ["--as-one", "pair", "--db", db])
        let kept = try CaptureStore(readingFrom: db).rows("SELECT * FROM flows WHERE capture_id = 2 ORDER BY id")
        // A name that matches nothing changes nothing.
        let missing = try portscope(["forget", "1", "nothing", "--db", db])
        #expect(missing.status != 0 && missing.err.contains("no capture 'nothing'"))
        #expect(try CaptureStore(readingFrom: db).rows("SELECT id FROM captures ORDER BY id") == [[.int(1)], [.int(2)], [.int(3)]])
        let run = try portscope(["forget", "office-monday.pcap", "pair", "--db", db])
        #expect(run.status == 0 && run.out == "forgot captures 1, 3\n")
        let store = try CaptureStore(readingFrom: db)
        #expect(try store.rows("SELECT id FROM captures") == [[.int(2)]])
        for table in ["flows", "host_services", "capture_anomalies", "capture_members"] {
            #expect(try store.rows("SELECT COUNT(*) FROM \(table) WHERE capture_id != 2") == [[.int(0)]], "\(table)")
        }
        #expect(try store.rows("SELECT * FROM flows WHERE capture_id = 2 ORDER BY id") == kept)
        #expect(try portscope(["forget", "1", "--db", directory.file("absent.db")]).status != 0)
        #expect(!FileManager.default.fileExists(atPath: directory.file("absent.db")))
    }
}
