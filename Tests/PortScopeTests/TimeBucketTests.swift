import PortScopeSQLite
import PortScopeStore
import Testing

/// Traffic over time: each packet counts in the bucket it was seen in, and the buckets of every
/// service sum to its `host_services` figures, whatever the width, chosen or grown.
struct TimeBucketTests {
    /// Per service of each capture: host_services' packets, bytes and flows, then the buckets'.
    static func sums(_ db: String) throws -> (services: [[Statement.Value]], buckets: [[Statement.Value]]) {
        let store = try CaptureStore(readingFrom: db)
        return (try store.rows("""
                    SELECT capture_id, proto, server_addr, server_port, SUM(packets_c2s + packets_s2c), SUM(bytes_c2s + bytes_s2c), SUM(flows)
                    FROM host_services GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
                    """),
                try store.rows("""
                    SELECT capture_id, proto, server_addr, server_port, SUM(packets), SUM(bytes), SUM(flows)
                    FROM time_buckets GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
                    """))
    }

    /// A UDP flow with packets 0 s, 61 s and 125 s after its first, in 1-minute buckets: one
    /// packet in each of three buckets, the flow counted in the first.
    @Test func packetsCountWhereTheyWereSeen() throws {
        var traffic = TrafficCapture()
        traffic.micros = 1_700_000_040 * 1_000_000  // 40 s into a minute
        traffic.udp("10.0.0.1", 40000, "10.0.0.2", 53, payload: 40)
        traffic.micros += 61_000_000
        traffic.udp("10.0.0.2", 53, "10.0.0.1", 40000, payload: 40)
        traffic.micros += 64_000_000
        traffic.udp("10.0.0.1", 40000, "10.0.0.2", 53, payload: 40)
        let dir = TemporaryDirectory(), db = dir.file("b.db")
        try traffic.write(to: dir.file("t.pcap"))
        #expect(try portscope(["analyze", dir.file("t.pcap"), "--bucket", "1m", "--db", db, "--quiet"]).status == 0)
        let store = try CaptureStore(readingFrom: db)
        let minute: Int64 = 60_000_000_000, first = Int64(1_700_000_041) * 1_000_000_000 / minute * minute
        #expect(try store.rows("SELECT start_ns, packets, flows FROM time_buckets ORDER BY start_ns") == [
            [.int(first), .int(1), .int(1)], [.int(first + minute), .int(1), .int(0)], [.int(first + 2 * minute), .int(1), .int(0)],
        ])
        #expect(try store.rows("SELECT bucket_ns FROM captures") == [[.int(minute)]])
    }

    /// A capture an hour long, flows crossing buckets and evictions storing some early (at a
    /// smaller width than the final one): the automatic width grows to 1 minute, every bucket is
    /// aligned to it, and the buckets sum to the service figures; the samples too.
    @Test func bucketsSumToTheServices() throws {
        var traffic = TrafficCapture()
        for i in 0..<1200 {
            traffic.micros += 3_000_000
            traffic.udpExchange("10.0.\(i % 4).1", 40000 + i, "10.1.0.\(i % 3)", [53, 123, 5060][i % 3])
            traffic.udp("10.0.\(i % 4).1", 40000 + i / 2, "10.1.0.\(i % 3)", [53, 123, 5060][i % 3], payload: 20)
        }
        let dir = TemporaryDirectory(), db = dir.file("b.db")
        try traffic.write(to: dir.file("hour.pcap"))
        #expect(try portscope(["analyze", dir.file("hour.pcap"), "--max-flows", "1000", "--db", db, "--quiet"]).status == 0)
        let store = try CaptureStore(readingFrom: db)
        #expect(try store.rows("SELECT bucket_ns FROM captures") == [[.int(60_000_000_000)]])
        #expect(try store.rows("SELECT COUNT(*) FROM time_buckets WHERE start_ns % 60000000000 != 0") == [[.int(0)]])
        #expect(try store.rows("SELECT COUNT(DISTINCT start_ns) FROM time_buckets") == [[.int(61)]])
        let evicted = try store.rows("SELECT packets FROM capture_anomalies WHERE reason = 'flow.evicted'")
        #expect(evicted.first?.first?.int ?? 0 > 0, "the test must evict")
        let hour = try Self.sums(db)
        #expect(!hour.services.isEmpty && hour.buckets == hour.services)

        let samples = dir.file("s.db")
        for name in ["office-monday.pcap", "office-tuesday.pcap", "dns.pcap", "vlan.pcap", "two-interfaces.pcapng"] {
            #expect(try portscope(["analyze", sample(name), "--db", samples, "--quiet"]).status == 0)
        }
        let sampled = try Self.sums(samples)
        #expect(!sampled.services.isEmpty && sampled.buckets == sampled.services)
    }
}
