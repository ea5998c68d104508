import Foundation
import Testing

/// `timeline`, `--since`/`--until` and `flows --sort time`, checked against the flows they come from.
struct TimelineTests {
    /// Ten minutes of HTTPS, one session a minute, and from minute 6 sessions on 8443 too.
    static func capture(_ dir: TemporaryDirectory) throws -> String {
        var traffic = TrafficCapture()
        traffic.micros = 1_700_000_000 / 60 * 60 * 1_000_000  // on a minute
        let start = traffic.micros
        for minute in 0..<10 {
            traffic.micros = start + Int64(minute) * 60_000_000
            traffic.session("10.0.0.1", 40000 + minute, "10.0.0.2", 443)
            if minute >= 6 { traffic.session("10.0.0.1", 41000 + minute, "10.0.0.3", 8443) }
        }
        let db = dir.file("t.db")
        try traffic.write(to: dir.file("t.pcap"))
        #expect(try portscope(["analyze", dir.file("t.pcap"), "--bucket", "1m", "--db", db, "--quiet"]).status == 0)
        return db
    }

    static func json(_ arguments: [String]) throws -> [[String: Any]] {
        let run = try portscope(arguments + ["--format", "json"])
        #expect(run.status == 0, "\(arguments): \(run.err)")
        return try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [[String: Any]] ?? []
    }

    @Test func timelineMatchesTheFlows() throws {
        let dir = TemporaryDirectory(), db = try Self.capture(dir)
        let buckets = try Self.json(["timeline", "--db", db])
        let flows = try Self.json(["flows", "--db", db])
        #expect(buckets.first.map { Set($0.keys) } == ["bucket_start", "bucket_end", "proto", "port", "packets", "bytes", "flows"])
        for port in [443, 8443] {
            let mine = buckets.filter { $0["port"] as? Int == port }, theirs = flows.filter { $0["server_port"] as? Int == port }
            #expect(mine.count == (port == 443 ? 10 : 4), "\(port)")
            for key in ["packets", "bytes"] {
                #expect(mine.reduce(0) { $0 + ($1[key] as! Int) } == theirs.reduce(0) { $0 + ($1[key] as! Int) }, "\(port) \(key)")
            }
            #expect(mine.reduce(0) { $0 + ($1["flows"] as! Int) } == theirs.count)
            // Each bucket holds the one session that began in it.
            let starts = Set(theirs.map { String(($0["first_seen"] as! String).prefix(16)) })
            #expect(Set(mine.map { String(($0["bucket_start"] as! String).prefix(16)) }) == starts)
        }
        let first8443 = buckets.first { $0["port"] as? Int == 8443 }?["bucket_start"] as? String
        let first443 = buckets.first?["bucket_start"] as? String
        #expect(first8443 != nil && first443 != nil && first8443! > first443!)

        // Wider buckets sum the same; the table has a sparkline per port over the whole range.
        let hourly = try Self.json(["timeline", "--bucket", "1h", "--port", "443", "--db", db])
        #expect(hourly.reduce(0) { $0 + ($1["bytes"] as! Int) } == buckets.filter { $0["port"] as? Int == 443 }.reduce(0) { $0 + ($1["bytes"] as! Int) })
        let table = try portscope(["timeline", "--db", db]).out.split(separator: "\n")
        #expect(table.first?.hasSuffix("one character per 1m bucket") == true, "\(table)")
        let line8443 = table.first { $0.hasPrefix("tcp    8443") || $0.contains(" 8443 ") }
        #expect(line8443?.hasSuffix("      ████") == true, "\(String(describing: line8443))")
    }

    @Test func timeWindows() throws {
        let dir = TemporaryDirectory(), db = try Self.capture(dir)
        let all = try Self.json(["flows", "--db", db])
        let times = all.map { $0["first_seen"] as! String }.sorted()
        // The last 170 s, back from the latest packet: minutes 7, 8 and 9, one session each on 443 and 8443
        // (minute 6's sessions ended more than 170 s before the last packet).
        let recent = try Self.json(["flows", "--since", "170s", "--db", db])
        #expect(recent.count == 6, "\(recent.count)")
        // From the start of minute 7, as ISO 8601: the same flows, and the buckets from minute 7 on.
        let since = String(times[times.count - 6].prefix(16))
        let absolute = try Self.json(["flows", "--since", since, "--db", db])
        #expect(absolute.map { $0["first_seen"] as! String }.sorted() == recent.map { $0["first_seen"] as! String }.sorted())
        let until = try Self.json(["flows", "--until", since, "--db", db])
        #expect(until.count == all.count - 6)
        // services in a window: the flows active in it.
        let services = try Self.json(["services", "--since", "170s", "--db", db])
        #expect(services.reduce(0) { $0 + ($1["flows"] as! Int) } == 6)
        #expect(services.reduce(0) { $0 + ($1["bytes"] as! Int) } == recent.reduce(0) { $0 + ($1["bytes"] as! Int) })
        // A bucket counts when it overlaps the window: from a bucket's start, exactly the later ones.
        let timeline = try Self.json(["timeline", "--since", since, "--db", db])
        #expect(timeline.count == 6 && timeline.reduce(0) { $0 + ($1["flows"] as! Int) } == 6)
        #expect(timeline.allSatisfy { ($0["bucket_start"] as! String) >= since })
        // hosts and unexpected, and diff by default with itself: nothing changes.
        let hosts = try Self.json(["hosts", "--since", "170s", "--db", db])
        #expect(hosts.reduce(0) { $0 + ($1["flows"] as! Int) } == 12, "\(hosts)")  // each flow: one client's use, one server's service
        #expect(try portscope(["unexpected", "--since", "170s", "--db", db]).status == 0)
        #expect(try Self.json(["diff", "1", "1", "--since", "1m", "--db", db]).isEmpty)
        // flows --sort time: by first packet.
        let sorted = try Self.json(["flows", "--sort", "time", "--db", db]).map { $0["first_seen"] as! String }
        #expect(sorted == times)
        let bad = try portscope(["services", "--since", "tuesday", "--db", db])
        #expect(bad.status == 64 && bad.err.hasPrefix("Error: The value 'tuesday' is invalid for '--since <time>'"), "\(bad.err)")
    }
}
