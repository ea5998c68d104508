import Foundation
import Testing

/// `hosts`, `unexpected`, `policy` and `diff` through the binary, on the office samples.
@Suite(.serialized)
struct InventoryCLITests {
    /// A database holding office-monday.pcap (capture 1) and office-tuesday.pcap (capture 2).
    func officeDatabase(_ dir: TemporaryDirectory) throws -> String {
        let db = dir.file("o.db")
        let run = try portscope(["analyze", sample("office-monday.pcap"), sample("office-tuesday.pcap"), "--db", db])
        #expect(run.status == 0, "\(run.err)")
        return db
    }

    func json(_ arguments: [String]) throws -> [[String: Any]] {
        let run = try portscope(arguments + ["--format", "json"])
        #expect(run.status == 0, "\(run.err)")
        return try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as! [[String: Any]]
    }

    /// Golden output: the host view, the findings against Monday, and the inventory change.
    @Test func goldenOfficeWeek() throws {
        let dir = TemporaryDirectory(), db = try officeDatabase(dir)
        let output = try [
            ["hosts", "--local-only", "--top", "100"],
            ["unexpected", "--baseline", "office-monday.pcap"],
            ["diff", "office-monday.pcap", "office-tuesday.pcap"],
        ].map { try portscope($0 + ["--db", db]).out }.joined(separator: "\n")
        let goldenPath = repositoryRoot + "/Tests/PortScopeTests/Golden/office.txt"
        if ProcessInfo.processInfo.environment["PORTSCOPE_UPDATE_GOLDEN"] != nil {
            try output.write(toFile: goldenPath, atomically: true, encoding: .utf8)
        }
        #expect(output == (try String(contentsOfFile: goldenPath, encoding: .utf8)))
    }

    @Test func unexpectedJSONKeysAndExplain() throws {
        let dir = TemporaryDirectory(), db = try officeDatabase(dir)
        let rows = try json(["unexpected", "--db", db, "--capture", "office-tuesday.pcap"])
        #expect(rows.map { $0["kind"] as? String } == ["scan", "uncommon_port", "protocol_mismatch", "well_known_source_port"])
        for row in rows {
            #expect(Set(row.keys) == ["kind", "severity", "host", "proto", "port", "reason", "flows", "peers", "packets",
                                      "bytes", "first_seen", "last_seen", "open_ports", "closed_ports"])
        }
        // A scan's finds are arrays of proto/port; other findings have none.
        #expect(rows[0]["open_ports"] as? [String] == ["tcp/22", "tcp/80"] && (rows[0]["closed_ports"] as? [String])?.count == 98)
        #expect(rows[1]["open_ports"] is NSNull && rows[1]["closed_ports"] is NSNull)
        #expect(rows[0]["port"] is NSNull && rows[0]["host"] as? String == "192.168.1.66" && rows[0]["severity"] as? String == "high")
        #expect(rows[1]["port"] as? Int == 51515 && rows[1]["peers"] as? Int == 3)
        let explained = try json(["unexpected", "--db", db, "--capture", "2", "--explain"])
        #expect(explained[1]["rule"] as? String ?? "" != "" && explained[1]["decided_by"] as? String == "tcp_syn 3")
        let high = try json(["unexpected", "--db", db, "--min-severity", "high"])
        #expect(high.allSatisfy { $0["severity"] as? String == "high" } && high.count == 3)
        // The SSH tunnel on 443 is allowed by --ignore.
        let ignoring = try json(["unexpected", "--db", db, "--capture", "2", "--ignore", "ssh@tcp/443"])
        #expect(!ignoring.contains { $0["kind"] as? String == "protocol_mismatch" } && ignoring.count == rows.count - 1)
        // Monday alone is an ordinary day.
        #expect(try portscope(["unexpected", "--db", db, "--capture", "1"]).out == "(no rows)\n")
    }

    @Test func hostsFilterAndJSONKeys() throws {
        let dir = TemporaryDirectory(), db = try officeDatabase(dir)
        let rows = try json(["hosts", "192.168.1.80/32", "--db", db, "--explain"])
        #expect(rows.map { "\($0["role"]!) \($0["proto"]!)/\($0["port"]!)" } == ["serves tcp/80", "serves tcp/445"])
        #expect(Set(rows[0].keys) == ["host", "scope", "role", "proto", "port", "service", "app_proto", "detector", "app_mix", "remote", "clients", "flows",
                                      "handshakes", "packets_in", "packets_out", "bytes_in", "bytes_out", "first_seen",
                                      "last_seen", "decided_by", "process"])
        #expect(rows[0]["clients"] as? Int == 3 && rows[0]["flows"] as? Int == 6 && rows[0]["handshakes"] as? Int == 6)
        #expect(rows.map { $0["detector"] as? String } == ["http/http2", "smb"])
        let uses = try json(["hosts", "192.168.1.10", "--db", db, "--capture", "1"])
        #expect(uses.map { "\($0["remote"]!) \($0["port"]!)" } == ["93.184.216.34 443", "192.168.1.80 80", "162.159.200.1 123", "192.168.1.1 53"])
        // Only local hosts; a user's own local network makes the resolver the only local host.
        let external = try json(["hosts", "--db", db, "--local", "192.168.1.1/32", "--local-only"])
        #expect(Set(external.map { $0["host"] as? String }) == ["192.168.1.1"])
    }

    @Test func policyInitCheckAndJudge() throws {
        let dir = TemporaryDirectory(), db = try officeDatabase(dir), policy = dir.file("policy.txt")
        let written = try portscope(["policy", "init", "--db", db, "--capture", "office-monday.pcap", "-o", policy])
        #expect(written.status == 0 && written.err == "policy written to \(policy)\n")
        #expect(try portscope(["policy", "check", policy]).out == "\(policy): 9 rules (3 serve, 6 use)\n")
        let again = try portscope(["policy", "init", "--db", db, "-o", policy])
        #expect(again.status != 0 && again.err == "Error: \(policy): File exists\n")
        let judged = try json(["unexpected", "--db", db, "--policy", policy, "--capture", "2"]).filter {
            ($0["kind"] as? String ?? "").hasPrefix("policy")
        }
        #expect(judged.map { "\($0["kind"]!) \($0["host"]!) \($0["port"]!)" } == [
            "policy_serve 192.168.1.5 8080", "policy_serve 192.168.1.80 445",
            "policy_use 192.168.1.10 51515", "policy_use 192.168.1.11 51515", "policy_use 192.168.1.12 443", "policy_use 192.168.1.12 51515",
            "policy_use 192.168.1.20 8080",
        ])
        // 192.168.1.77's tcp/51515 is one finding: the uncommon port, naming the policy it breaks.
        let uncommon = try json(["unexpected", "--db", db, "--policy", policy, "--capture", "2"]).filter { $0["port"] as? Int == 51515 && $0["host"] as? String == "192.168.1.77" }
        #expect(uncommon.count == 1 && uncommon.first?["kind"] as? String == "uncommon_port")
        #expect((uncommon.first?["reason"] as? String)?.contains("; also policy_serve: 192.168.1.77 serves tcp/51515 to 3 clients and the policy does not allow it") == true)
        try "10.0.0.1 serve tcp/22\n* allow tcp/80\n".write(toFile: policy + ".bad", atomically: true, encoding: .utf8)
        let bad = try portscope(["unexpected", "--db", db, "--policy", policy + ".bad"])
        #expect(bad.status == 1 && bad.err == "Error: \(policy).bad:2: 'allow' is not serve or use\n")
        let missing = try portscope(["policy", "check", dir.file("none.txt")])
        #expect(missing.status == 1 && missing.err == "Error: \(dir.file("none.txt")): No such file or directory\n")
        // An ignore line silences the scan; --explain shows it, and the line that silenced it.
        let quiet = dir.file("quiet.txt")
        try "# the pen test\nignore scan 192.168.1.66\n".write(toFile: quiet, atomically: true, encoding: .utf8)
        #expect(try portscope(["policy", "check", quiet]).out == "\(quiet): 0 rules (0 serve, 0 use), 1 ignore\n")
        let silenced = try json(["unexpected", "--db", db, "--policy", quiet, "--capture", "2"])
        #expect(!silenced.contains { $0["kind"] as? String == "scan" } && !silenced.isEmpty)
        let shown = try json(["unexpected", "--db", db, "--policy", quiet, "--capture", "2", "--explain"])
        #expect(shown.first { $0["kind"] as? String == "scan" }?["silenced_by"] as? String == "\(quiet):2")
        #expect(shown.filter { $0["silenced_by"] is NSNull }.count == shown.count - 1)
    }

    @Test func diffAndCaptureReferences() throws {
        let dir = TemporaryDirectory(), db = try officeDatabase(dir)
        let all = try json(["diff", "1", "2", "--db", db, "--all"])
        #expect(Set(all.compactMap { $0["change"] as? String }) == ["added", "removed", "kept"])
        let changes = try json(["diff", "office-monday.pcap", "office-tuesday.pcap", "--db", db])
        // Local hosts by default, as `unexpected --baseline` judges them; --all-hosts adds the others.
        #expect(changes.map { "\($0["change"]!) \($0["host"]!) \($0["port"]!)" } == [
            "added 192.168.1.5 8080", "added 192.168.1.77 51515", "added 192.168.1.80 445", "removed 192.168.1.5 3306",
        ])
        let everyone = try json(["diff", "office-monday.pcap", "office-tuesday.pcap", "--all-hosts", "--db", db])
        #expect(everyone.map { "\($0["change"]!) \($0["host"]!) \($0["port"]!)" } == [
            "added 192.168.1.5 8080", "added 192.168.1.77 51515", "added 192.168.1.80 445", "added 198.51.100.7 443",
            "removed 192.168.1.5 3306",
        ])
        #expect(Set(changes[0].keys) == ["change", "host", "scope", "proto", "port", "service", "clients_a", "clients_b",
                                         "flows_a", "flows_b", "bytes_a", "bytes_b"])
        let unknown = try portscope(["diff", "1", "nothing.pcap", "--db", db])
        #expect(unknown.status == 1 && unknown.err == "Error: no capture 'nothing.pcap' in the database (see 'portscope captures')\n")
        // Two files of one name in different directories (analyzed again, they replace 1 and 2):
        // the name alone is ambiguous.
        for (sub, name) in [("a", "office-monday.pcap"), ("b", "office-tuesday.pcap")] {
            try FileManager.default.createDirectory(atPath: dir.file(sub), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: sample(name), toPath: dir.file("\(sub)/day.pcap"))
            #expect(try portscope(["analyze", dir.file("\(sub)/day.pcap"), "--db", db, "--replace"]).status == 0)
        }
        let ambiguous = try portscope(["hosts", "--db", db, "--capture", "day.pcap"])
        #expect(ambiguous.status == 1 && ambiguous.err == "Error: 'day.pcap' names captures 3, 4; give the id\n")
        #expect(try portscope(["hosts", "--db", db, "--capture", "b/day.pcap"]).status == 0)
    }

    @Test(arguments: [
        (["hosts", "10.0.0.0/33"], "'10.0.0.0/33' is not an address or a network"),
        (["hosts", "--local", "10.0.0.0/8,lan"], "--local: 'lan' is not a network"),
        (["unexpected", "--scan-threshold", "1"], "--scan-threshold must be at least 2"),
        (["unexpected", "--ignore", "ssh"], "--ignore 'ssh': expected PROTOCOL@SERVICE"),
        (["unexpected", "--ignore", "gopher@tcp/70"], "--ignore 'gopher@tcp/70': expected PROTOCOL@SERVICE"),
        (["unexpected", "--min-severity", "urgent"], "--min-severity"),
    ])
    func badArguments(arguments: [String], message: String) throws {
        let dir = TemporaryDirectory()
        let run = try portscope(arguments + ["--db", dir.file("none.db")])
        #expect(run.status != 0 && run.err.contains(message), "\(run.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("none.db")))
    }
}
