import Foundation
@testable import PortScopeReport
import Testing

/// Tables that fit a terminal: the columns that answer each report's question, numbers people
/// read, reasons that do not repeat their row; `--wide`, `--columns` and `--exact` for the rest,
/// and JSON and CSV unchanged by any of it.
@Suite(.serialized)
struct TableLayoutTests {
    /// The samples in one database (captures 1 to 8), Monday before Tuesday; it lives as long
    /// as the test process.
    nonisolated(unsafe) static let database: String = {
        let dir = TemporaryDirectory(), db = dir.file("s.db")
        let names = ["office-monday.pcap", "office-tuesday.pcap", "http.pcap", "dns.pcap", "tls.pcap", "udp.pcap", "vlan.pcap",
                     "two-interfaces.pcapng"]
        _ = try? portscope(["analyze"] + names.map(sample) + ["--db", db, "--quiet"])
        keptDirectory = dir
        return db
    }()
    nonisolated(unsafe) private static var keptDirectory: TemporaryDirectory?

    /// Every report's default table, on every sample capture and on all of them at once.
    static let reports: [[String]] = [
        ["captures"], ["services"], ["flows"], ["flows", "--sort", "time"], ["hosts"], ["hosts", "--each"],
        ["unexpected"], ["unexpected", "--baseline", "1", "--capture", "2"], ["diff", "1", "2"], ["diff", "1", "2", "--all"],
        ["timeline"], ["policy", "init"],
    ]

    @Test(arguments: reports)
    func defaultTablesFit120Columns(_ report: [String]) throws {
        for capture in [nil] + (1...8).map(String.init) {
            let scoped = report.contains("--capture") || report[0] == "diff" || report[0] == "captures" || capture == nil
                ? report : report + ["--capture", capture!]
            let run = try portscope(scoped + (report[0] == "policy" ? [] : ["--top", "100"]) + ["--db", Self.database])
            #expect(run.status == 0, "\(scoped): \(run.err)")
            for line in run.out.split(separator: "\n") where !line.hasPrefix("#") {
                #expect(line.count <= 120, "\(scoped): \(line.count) columns: \(line)")
            }
            if scoped == report && capture != nil { break }
        }
    }

    @Test(arguments: [
        (Int64(0), "0", "0 B"), (999, "999", "999 B"), (1000, "1.0 k", "1000 B"), (1023, "1.0 k", "1023 B"),
        (1024, "1.0 k", "1.0 KiB"), (1234, "1.2 k", "1.2 KiB"), (999_949, "999.9 k", "976.5 KiB"),
        (999_960, "1.0 M", "976.5 KiB"), (37_704_648, "37.7 M", "36.0 MiB"), (5 << 40, "5.5 T", "5.0 TiB"),
    ])
    func humanNumbers(_ value: Int64, _ count: String, _ bytes: String) {
        #expect(HumanNumber.count(value) == count)
        #expect(HumanNumber.bytes(value) == bytes)
    }

    /// `--wide` has a column for every JSON key; `--columns` picks and orders them in every
    /// format; `--exact` prints what JSON holds; JSON is the same whatever the table options.
    @Test func wideColumnsAndExact() throws {
        let db = Self.database
        let json = try portscope(["flows", "--format", "json", "--db", db]).out
        let keys = try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])?.first?.keys)
        let wide = try portscope(["flows", "--wide", "--db", db]).out.split(separator: "\n")[0].split(separator: " ")
        #expect(wide.count == keys.count, "\(wide)")
        #expect(try portscope(["flows", "--format", "json", "--wide", "--exact", "--db", db]).out == json)

        let csv = try portscope(["services", "--format", "csv", "--columns", "port,bytes,proto", "--db", db]).out.split(separator: "\n")
        #expect(csv.first == "port,bytes,proto" && csv.dropFirst().allSatisfy { $0.split(separator: ",").count == 3 })
        let picked = try portscope(["services", "--columns", "port,bytes", "--exact", "--db", db, "--top", "1"]).out
        let bytes = try #require(csv.dropFirst().first?.split(separator: ",")[1])
        #expect(picked.split(separator: "\n").first?.split(separator: " ") == ["PORT", "BYTES"])
        #expect(picked.split(separator: "\n")[1].hasSuffix(" " + bytes), "\(picked)")
        let human = try portscope(["services", "--columns", "bytes", "--db", db, "--top", "1"]).out
        #expect(human.split(separator: "\n")[1].trimmingPrefix(" ") == HumanNumber.bytes(Int64(bytes)!))

        let unknown = try portscope(["services", "--columns", "port,colour", "--db", db])
        #expect(unknown.status == 64 && unknown.err.hasPrefix("Error: --columns: no column 'colour' (columns: proto, port, service,"),
                "\(unknown.err)")
    }

    /// A finding's table reason leaves out the host, protocol and port its own columns show;
    /// JSON and `--wide` keep the whole sentence.
    @Test func reasonsDoNotRepeatTheirRow() throws {
        let db = Self.database
        let json = try JSONSerialization.jsonObject(with: Data(try portscope([
            "unexpected", "--baseline", "1", "--capture", "2", "--format", "json", "--db", db]).out.utf8)) as! [[String: Any]]
        let table = try portscope(["unexpected", "--baseline", "1", "--capture", "2", "--db", db]).out.split(separator: "\n")
        #expect(table.count == json.count + 1)
        for (row, line) in zip(json, table.dropFirst()) {
            let host = row["host"] as! String, reason = line.split(separator: "  ").last.map(String.init) ?? ""
            #expect((row["reason"] as! String).contains(host) && !reason.contains(host), "\(line)")
            if let port = row["port"] as? Int, let proto = row["proto"] as? String {
                #expect(!reason.contains("\(proto)/\(port)"), "\(line)")
            }
        }
        let wide = try portscope(["unexpected", "--baseline", "1", "--capture", "2", "--wide", "--db", db]).out
        #expect(json.allSatisfy { wide.contains($0["reason"] as! String) })
    }

    /// A host's use of a service sums over the servers it reached, with the names it asked for;
    /// `--each` and JSON keep a row per server.
    @Test func hostsSummariseUsesPerService() throws {
        let dir = TemporaryDirectory(), db = dir.file("h.db")
        var traffic = TrafficCapture()
        for (i, name) in ["a.example", "b.example", "c.example"].enumerated() {
            let hello = AppBytes.tlsClientHello(serverName: name)
            traffic.session("10.0.0.5", 40000 + i, "203.0.113.\(10 + i)", 443,
                            payloads: (hello, AppBytes.response("tcp", port: 443, size: 500)))
        }
        traffic.session("10.0.0.5", 41000, "203.0.113.20", 80)
        try traffic.write(to: dir.file("h.pcap"))
        #expect(try portscope(["analyze", dir.file("h.pcap"), "--db", db, "--quiet"]).status == 0)
        let table = try portscope(["hosts", "10.0.0.5", "--db", db]).out.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(table.contains { $0.hasPrefix("10.0.0.5 uses tcp 443 tls 3 servers 3 ") && $0.hasSuffix(" a.example, b.example, c…") },
                "\(table)")
        #expect(try portscope(["hosts", "10.0.0.5", "--wide", "--db", db]).out.contains(" a.example, b.example, c.example\n"))
        #expect(table.contains { $0.hasPrefix("10.0.0.5 uses tcp 80 http 203.0.113.20 1 ") }, "\(table)")
        let each = try portscope(["hosts", "10.0.0.5", "--each", "--db", db]).out.split(separator: "\n")
        #expect(each.filter { $0.contains(" 443 ") }.count == 3)
        let json = try JSONSerialization.jsonObject(with: Data(try portscope(["hosts", "10.0.0.5", "--format", "json", "--db", db]).out.utf8)) as! [[String: Any]]
        #expect(json.filter { $0["port"] as? Int == 443 }.count == 3 && json.allSatisfy { $0["peers"] == nil && $0["remote"] is String })
    }
}
