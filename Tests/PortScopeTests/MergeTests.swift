import Foundation
import PortScopeSQLite
import PortScopeStore
import Testing

/// `portscope merge`: captures of several databases into one, ids remapped, sensors kept,
/// duplicates skipped, whatever schema version each source was written with.
struct MergeTests {
    /// Every row of the tables that hang off captures, by the capture's file instead of its id
    /// (ids differ between databases), sorted.
    static func contents(_ db: String) throws -> [String] {
        let store = try CaptureStore(readingFrom: db)
        var lines: [String] = []
        for table in ["flows", "host_services", "time_buckets", "capture_anomalies"] {
            let columns = try store.query("SELECT name FROM pragma_table_info(:t) WHERE name NOT IN ('id', 'capture_id')",
                                          [":t": .text(table)]).map { $0["name"].text }
            lines += try store.query("""
                SELECT c.source || ' ' || c.sensor AS capture, t.* FROM \(table) t JOIN captures c ON c.id = t.capture_id
                """).map { row in "\(table) \(row["capture"].text) " + columns.map { "\(row[$0])" }.joined(separator: " ") }
        }
        return lines.sorted()
    }

    @Test func capturesOfSeveralDatabasesIntoOne() throws {
        let dir = TemporaryDirectory()
        let a = dir.file("a.db"), b = dir.file("b.db"), fleet = dir.file("fleet.db")
        #expect(try portscope(["analyze", sample("http.pcap"), sample("dns.pcap"), "--db", a, "--quiet"]).status == 0)
        #expect(try portscope(["analyze", sample("dns.pcap"), sample("office-tuesday.pcap"), "--db", b, "--quiet"]).status == 0)
        // Two sensors; the same file (dns.pcap) analyzed by both is one capture.
        for (db, sensor) in [(a, "sensor-a"), (b, "sensor-b")] {
            try Database(path: db).execute("UPDATE captures SET sensor = '\(sensor)'")
        }
        let run = try portscope(["merge", a, b, "--db", fleet])
        #expect(run.status == 0 && run.out == """
            \(a): 2 captures added (1→1, 2→2)
            \(b): 1 capture added (2→3), 1 already here: 1 (as 2)

            """, "\(run.out)")
        // Every row of every source is here, under its capture (the duplicate once, as sensor-a had it).
        let merged = try Self.contents(fleet)
        let expected = (try Self.contents(a) + Self.contents(b).filter { !$0.contains("dns.pcap") }).sorted()
        #expect(merged == expected && !merged.isEmpty)
        let store = try CaptureStore(readingFrom: fleet)
        #expect(try store.rows("SELECT id, sensor FROM captures ORDER BY id") == [
            [.int(1), .text("sensor-a")], [.int(2), .text("sensor-a")], [.int(3), .text("sensor-b")]])
        // Merging again adds nothing; the reports read the fleet as one database.
        #expect(try portscope(["merge", b, a, "--db", fleet]).out.contains(": 0 captures added"))
        #expect(try Self.contents(fleet) == merged)
        #expect(try portscope(["services", "--db", fleet, "--capture", "3", "--format", "json"]).out
                    == portscope(["services", "--db", b, "--capture", "2", "--format", "json"]).out)
    }

    /// A source written by the first release is migrated first; a newer one is refused and
    /// changes nothing; the database merged into is never a source.
    @Test func sourcesOfOtherSchemaVersions() throws {
        let dir = TemporaryDirectory(), old = dir.file("v1.db"), fleet = dir.file("fleet.db"), newer = dir.file("v99.db")
        try FlushTests.versionOneDatabase(old)
        #expect(try portscope(["analyze", sample("tls.pcap"), "--db", fleet, "--quiet"]).status == 0)
        let run = try portscope(["merge", old, "--db", fleet])
        #expect(run.status == 0 && run.out == "\(old): 1 capture added (1→2)\n", "\(run.out) \(run.err)")
        let store = try CaptureStore(readingFrom: fleet)
        #expect(try store.rows("SELECT c.source, f.client_port, f.server_port, f.decided_by FROM flows f JOIN captures c ON c.id = f.capture_id WHERE c.id = 2")
                == [[.text("a.pcap"), .int(40000), .int(443), .text("tcp_syn")]])
        #expect(try store.rows("SELECT port, flows FROM service_ports WHERE capture_id = 2") == [[.int(443), .int(1)]])

        try Database(path: newer).execute("CREATE TABLE t (x); PRAGMA user_version = 99")
        let before = try Self.contents(fleet)
        let refused = try portscope(["merge", newer, "--db", fleet])
        #expect(refused.status == 1 && refused.err.hasPrefix("Error: \(newer): "), "\(refused.err)")
        #expect(try Self.contents(fleet) == before)
        let itself = try portscope(["merge", fleet, "--db", fleet])
        #expect(itself.status == 1 && itself.err == "Error: \(fleet): is the database merged into\n", "\(itself.err)")
    }
}
