import Testing
import PortScopeIngest
import PortScopeStore

/// A capture's flush leaves SQLite's check of each row against `captures` out (its rows refer to
/// the capture it writes): the rows must still all refer to a stored capture, a replaced capture's
/// rows still go by cascade, and the connection checks again afterwards.
@Suite struct FlushReferenceTests {
    @Test func rowsReferToTheirCaptureAndReplacedOnesGo() throws {
        let dir = TemporaryDirectory()
        try analyze(sample("office-monday.pcap"), in: dir)
        try analyze(sample("office-tuesday.pcap"), in: dir)
        var again = AnalysisOptions()
        again.replace = true
        try analyze(sample("office-monday.pcap"), in: dir, options: again)
        let store = try CaptureStore(path: dir.file("test.db"))
        #expect(try store.query("PRAGMA foreign_key_check").isEmpty)
        #expect(try store.query("SELECT id FROM captures ORDER BY id").map { $0["id"].int } == [2, 3])
        for table in ["flows", "host_services", "time_buckets", "capture_anomalies", "capture_members"] {
            #expect(try store.query("SELECT COUNT(*) AS n FROM \(table) WHERE capture_id NOT IN (SELECT id FROM captures)")
                        .first?["n"].int == 0, "\(table)")
        }
        for table in ["flows", "host_services", "time_buckets"] {
            #expect(try store.query("SELECT COUNT(DISTINCT capture_id) AS n FROM \(table)").first?["n"].int == 2, "\(table)")
        }
        // The connection that wrote checks references again.
        let writer = try CaptureStore(path: dir.file("test.db"))
        _ = try CaptureAnalysis.run(path: sample("http.pcap"), store: writer, options: AnalysisOptions())
        #expect(try writer.query("PRAGMA foreign_keys").first?["foreign_keys"].int == 1)
    }
}
