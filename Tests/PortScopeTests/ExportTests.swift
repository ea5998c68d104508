import Foundation
import PortScopeAnalysis
import PortScopeDecode
import PortScopeSQLite
import PortScopeStore
import Testing

/// `portscope export`, read back as the tools that consume each format read it, and checked
/// against the flows stored.
@Suite struct ExportTests {
    /// Every bundled sample analyzed into one database.
    private static func database(_ directory: TemporaryDirectory) throws -> String {
        let db = directory.file("test.db")
        let names = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/samples")
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
        let run = try portscope(["analyze"] + names.map(sample) + ["--quiet", "--db", db])
        #expect(run.status == 0, "\(run.err)")
        return db
    }

    /// The stored flows in the order the export writes them (oldest first).
    private static func storedFlows(_ db: String) throws -> [QueryRow] {
        try CaptureStore(readingFrom: db).query("SELECT * FROM flows ORDER BY first_ns, id")
    }

    private static func export(_ db: String, _ arguments: [String]) throws -> String {
        let run = try portscope(["export"] + arguments + ["--db", db])
        #expect(run.status == 0 && run.err.isEmpty, "\(run.err)")
        return run.out
    }

    /// Zeek's format rules, field by field: the header lines Zeek writes, one row per stored
    /// flow with every field in its declared type, and the figures of the flow it stands for.
    @Test func zeekConnLogFollowsZeeksRules() throws {
        let directory = TemporaryDirectory(), db = try Self.database(directory)
        let lines = try Self.export(db, ["--format", "zeek"]).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(lines.prefix(5)) == ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tconn"])
        #expect(lines[5].wholeMatch(of: /#open\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d/) != nil, "\(lines[5])")
        let names = lines[6].split(separator: "\t").dropFirst().map(String.init)
        let types = lines[7].split(separator: "\t").dropFirst().map(String.init)
        // The issue's fields, in Zeek's order, with Zeek's other standard fields between them.
        #expect(names == ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
                          "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history",
                          "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents", "ip_proto", "community_id"])
        #expect(types == ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count",
                          "string", "bool", "bool", "count", "string", "count", "count", "count", "count", "set[string]",
                          "count", "string"])
        #expect(lines[lines.count - 2].wholeMatch(of: /#close\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d/) != nil)
        #expect(lines.last == "")
        let rows = lines.dropFirst(8).dropLast(2).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let flows = try Self.storedFlows(db)
        #expect(rows.count == flows.count && !rows.isEmpty)
        var uids = Set<String>()
        for (fields, flow) in zip(rows, flows) {
            try #require(fields.count == names.count, "\(fields)")
            var v: [String: String] = [:]
            for (name, value) in zip(names, fields) { v[name] = value }
            for (name, type) in zip(names, types) where v[name] != "-" {
                let value = v[name]!
                let valid = switch type {
                case "time", "interval": value.wholeMatch(of: /\d+\.\d{6}/) != nil
                case "addr": IPAddress(value) != nil
                case "port": UInt16(value) != nil
                case "count": UInt64(value) != nil
                case "bool": value == "T" || value == "F"
                case "enum": ["tcp", "udp", "icmp", "unknown_transport"].contains(value)
                default: !value.isEmpty && !value.contains("\t")
                }
                #expect(valid, "\(name) (\(type)): '\(value)'")
            }
            #expect(v["uid"]!.wholeMatch(of: /C[0-9A-Za-z]{17}/) != nil && uids.insert(v["uid"]!).inserted)
            #expect(["S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH"].contains(v["conn_state"]!))
            #expect(v["history"] == "-" || v["history"]!.allSatisfy { "^ShHaAdDfFrRcCgGtTwWiIqQx".contains($0) })
            #expect(v["missed_bytes"] == "0" && v["tunnel_parents"] == "-")
            // The stored flow's figures: the two ends, the packets and IP bytes both ways, its state.
            let client = "\(flow["client_addr"].text) \(flow["client_port"].int)", server = "\(flow["server_addr"].text) \(flow["server_port"].int)"
            let orig = "\(v["id.orig_h"]!) \(v["id.orig_p"]!)", resp = "\(v["id.resp_h"]!) \(v["id.resp_p"]!)"
            #expect([orig, resp] == [client, server] || [orig, resp] == [server, client])
            #expect(Int64(v["orig_pkts"]!)! + Int64(v["resp_pkts"]!)! == flow["packets_c2s"].int + flow["packets_s2c"].int)
            #expect(Int64(v["orig_ip_bytes"]!)! + Int64(v["resp_ip_bytes"]!)! == flow["ip_bytes_c2s"].int + flow["ip_bytes_s2c"].int)
            #expect(v["conn_state"] == flow["conn_state"].text && v["community_id"] == flow["community_id"].text)
            #expect(v["proto"] == flow["proto"].text && v["ip_proto"] == String(IPProtocol(name: flow["proto"].text)!.rawValue))
            // A flow of one instant has no duration or payload counts, as Zeek logs it.
            let lasted = flow["last_ns"].int > flow["first_ns"].int
            #expect((v["duration"] != "-") == lasted && (v["orig_bytes"] != "-") == lasted)
            if lasted {
                #expect(Int64(v["orig_bytes"]!)! + Int64(v["resp_bytes"]!)! == flow["payload_bytes_c2s"].int + flow["payload_bytes_s2c"].int)
            }
        }
        // The samples' addresses: 192.168/16 is local by default, 2001:db8::/32 is not.
        #expect(rows.contains { $0[2].hasPrefix("192.168.") && $0[12] == "T" })
        #expect(rows.contains { $0[2].hasPrefix("2001:db8:") && $0[12] == "F" })
        // HTTP and TLS are named as Zeek's analyzers name them.
        #expect(rows.contains { $0[7] == "ssl" } && rows.contains { $0[7] == "http" } && rows.contains { $0[7] == "dns" })
    }

    /// A real Zeek-log reader (PyPI `zat`, strict) reads the TSV, and every value it reads
    /// equals the same flow's in the zeek-json export.
    @Test(.enabled(if: PythonReference.zat, "PyPI zat could not be installed: the conn.log is not read back"))
    func zatReadsTheConnLog() throws {
        let directory = TemporaryDirectory(), db = try Self.database(directory)
        let (tsv, json) = (directory.file("conn.log"), directory.file("conn.json"))
        _ = try Self.export(db, ["--format", "zeek", "-o", tsv])
        _ = try Self.export(db, ["--format", "zeek-json", "--output", json])
        let check = try runProgram(repositoryRoot + "/scripts/zeek-log-check", [tsv, json])
        #expect(check.status == 0, "\(check.out)\(check.err)")
        #expect(check.out.contains("checked \(try Self.storedFlows(db).count) rows, 0 differences"), "\(check.out)")
    }

    /// The ECS documents key by key: exactly the keys Elastic expects of a network flow event,
    /// each with the value the stored flow and the Zeek export give it.
    @Test func ecsDocumentsKeyByKey() throws {
        let directory = TemporaryDirectory(), db = try Self.database(directory)
        let documents = try Self.export(db, ["--format", "ecs"]).split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let zeek = try Self.export(db, ["--format", "zeek-json"]).split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let flows = try Self.storedFlows(db)
        #expect(documents.count == flows.count && zeek.count == flows.count)
        let common: Set<String> = [
            "@timestamp", "ecs.version", "event.kind", "event.category", "event.type", "event.action", "event.dataset",
            "event.module", "event.start", "event.end", "event.duration",
            "source.ip", "source.port", "source.packets", "source.bytes", "destination.ip", "destination.port",
            "destination.packets", "destination.bytes", "client.ip", "client.port", "client.packets", "client.bytes",
            "server.ip", "server.port", "server.packets", "server.bytes", "network.transport", "network.iana_number",
            "network.type", "network.direction", "network.community_id", "network.packets", "network.bytes",
            "portscope.flow_id", "portscope.capture_id", "portscope.decided_by", "portscope.conn_state", "portscope.zeek_uid",
        ]
        for ((document, z), flow) in zip(zip(documents, zeek), flows) {
            let d = Self.flattened(document)
            var expected = common
            let app: String? = if case .text(let name) = flow["app_proto"], name != "unknown" { name } else { nil }
            if app != nil { expected.insert("network.protocol") }
            if !flow["history"].text.isEmpty { expected.insert("portscope.history") }
            if app == "tls", flow["app_name"] != .null { expected.insert("tls.client.server_name") }
            if app == "http", flow["app_name"] != .null { expected.insert("url.domain") }
            #expect(Set(d.keys) == expected, "\(Set(d.keys).symmetricDifference(expected))")
            #expect(d["ecs.version"] as? String == "8.11.0" && d["event.kind"] as? String == "event")
            #expect(d["event.category"] as? [String] == ["network"] && d["event.type"] as? [String] == ["connection"])
            #expect(d["event.duration"] as? Int64 == flow["last_ns"].int - flow["first_ns"].int)
            #expect(d["@timestamp"] as? String == d["event.start"] as? String)
            #expect((d["event.start"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) != nil)
            // source/destination are Zeek's originator and responder; client/server PortScope's sides.
            #expect(d["source.ip"] as? String == z["id.orig_h"] as? String && d["source.port"] as? Int == z["id.orig_p"] as? Int)
            #expect(d["destination.ip"] as? String == z["id.resp_h"] as? String && d["destination.port"] as? Int == z["id.resp_p"] as? Int)
            #expect(d["source.packets"] as? Int == z["orig_pkts"] as? Int && d["destination.packets"] as? Int == z["resp_pkts"] as? Int)
            #expect(d["portscope.zeek_uid"] as? String == z["uid"] as? String)
            #expect(d["client.ip"] as? String == flow["client_addr"].text && d["server.port"] as? Int64 == flow["server_port"].int)
            #expect(d["client.bytes"] as? Int64 == flow["bytes_c2s"].int && d["server.bytes"] as? Int64 == flow["bytes_s2c"].int)
            let bytes = flow["bytes_c2s"].int + flow["bytes_s2c"].int, packets = flow["packets_c2s"].int + flow["packets_s2c"].int
            #expect(d["network.bytes"] as? Int64 == bytes && d["network.packets"] as? Int64 == packets)
            #expect((d["source.bytes"] as? Int64 ?? 0) + (d["destination.bytes"] as? Int64 ?? 0) == bytes)
            #expect(d["network.transport"] as? String == flow["proto"].text)
            #expect(d["network.iana_number"] as? String == ["tcp": "6", "udp": "17"][flow["proto"].text])
            #expect(d["network.type"] as? String == (flow["client_addr"].text.contains(":") ? "ipv6" : "ipv4"))
            let local = { (key: String) in LocalNetworks.privateRanges.contains(IPAddress(d[key] as! String)!) }
            let direction = switch (local("source.ip"), local("destination.ip")) {
            case (true, true): "internal"
            case (true, false): "outbound"
            case (false, true): "inbound"
            case (false, false): "external"
            }
            #expect(d["network.direction"] as? String == direction && d["network.protocol"] as? String == app)
            #expect(d["network.community_id"] as? String == flow["community_id"].text)
            #expect(d["portscope.conn_state"] as? String == flow["conn_state"].text)
            if expected.contains("tls.client.server_name") { #expect(d["tls.client.server_name"] as? String == flow["app_name"].text) }
        }
    }

    /// Nested objects as ECS's dotted field names.
    private static func flattened(_ object: [String: Any], prefix: String = "") -> [String: Any] {
        var out: [String: Any] = [:]
        for (key, value) in object {
            if let nested = value as? [String: Any] {
                out.merge(flattened(nested, prefix: prefix + key + "."), uniquingKeysWith: { a, _ in a })
            } else {
                out[prefix + key] = value
            }
        }
        return out
    }

    /// Filters select as `flows` does; a file that cannot be written and a bad format are one-line errors.
    @Test func filtersAndErrors() throws {
        let directory = TemporaryDirectory(), db = try Self.database(directory)
        let dns = try Self.export(db, ["--format", "zeek-json", "--port", "53"]).split(separator: "\n")
        #expect(!dns.isEmpty && dns.allSatisfy { $0.contains("\"id.resp_p\":53,") || $0.contains("\"id.orig_p\":53,") })
        let host = try Self.export(db, ["--format", "zeek-json", "--host", "2001:db8:1::10", "--proto", "tcp"]).split(separator: "\n")
        #expect(!host.isEmpty && host.allSatisfy { $0.contains("\"2001:db8:1::10\"") && $0.contains("\"proto\":\"tcp\"") })
        let all = try Self.export(db, ["--format", "ecs"]).split(separator: "\n")
        let first = try Self.export(db, ["--format", "ecs", "--capture", "1"]).split(separator: "\n")
        #expect(!first.isEmpty && first.count < all.count && first.allSatisfy { $0.contains("\"capture_id\":1,") })
        // Zeek's local_orig follows --local.
        let ours = try Self.export(db, ["--format", "zeek-json", "--host", "2001:db8:1::10", "--local", "2001:db8::/32"])
        #expect(ours.contains("\"local_orig\":true,\"local_resp\":true"))

        let unwritable = try portscope(["export", "--format", "zeek", "-o", directory.file("no/such/dir/conn.log"), "--db", db])
        #expect(unwritable.status == 1 && unwritable.out.isEmpty)
        #expect(unwritable.err == "Error: cannot write \(directory.file("no/such/dir/conn.log")): No such file or directory\n")
        // A log that cannot be put in place (its name is a directory) leaves nothing behind, not even its partial file.
        let taken = directory.file("taken")
        try FileManager.default.createDirectory(atPath: taken + "/inside", withIntermediateDirectories: true)
        let blocked = try portscope(["export", "--format", "zeek", "-o", taken, "--db", db])
        #expect(blocked.status == 1 && blocked.err == "Error: cannot write \(taken): Is a directory\n", "\(blocked.err)")
        #expect(!FileManager.default.fileExists(atPath: taken + ".partial"))
        let written = directory.file("conn.log")
        _ = try Self.export(db, ["--format", "zeek", "-o", written])
        #expect(FileManager.default.fileExists(atPath: written) && !FileManager.default.fileExists(atPath: written + ".partial"))
        let format = try portscope(["export", "--format", "csv", "--db", db])
        #expect(format.status != 0 && format.err.hasPrefix("Error: The value 'csv' is invalid for '--format <format>'"), "\(format.err)")
        let missing = try portscope(["export", "--db", db])
        #expect(missing.status != 0 && missing.err.contains("--format"))
    }
}

/// Every corpus flow exported as a Zeek conn.log is read back by `zat`, ICMP's type and code
/// as its ports.
@Suite(.enabled(if: Corpus.root != nil, "set PORTSCOPE_CORPUS to the shared corpus directory"),
       .enabled(if: PythonReference.zat, "PyPI zat could not be installed: the corpus conn.log is not read back"))
struct ExportConformanceTests {
    @Test func corpusConnLogReadBack() throws {
        let directory = TemporaryDirectory()
        let db = Corpus.database, (tsv, json) = (directory.file("conn.log"), directory.file("conn.json"))
        for (format, path) in [("zeek", tsv), ("zeek-json", json)] {
            let run = try portscope(["export", "--format", format, "-o", path, "--db", db])
            #expect(run.status == 0, "\(run.err)")
        }
        let check = try runProgram(repositoryRoot + "/scripts/zeek-log-check", [tsv, json])
        #expect(check.status == 0, "\(check.out)\(check.err)")
        let checked = check.out.split(separator: "\n").last?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        #expect(checked > 500, "\(check.out)")
        let store = try CaptureStore(readingFrom: db)
        let icmp = try store.query("SELECT icmp_type, icmp_code FROM flows WHERE proto = 'icmp' AND icmp_type IS NOT NULL")
        let text = try String(contentsOfFile: json, encoding: .utf8)
        for row in icmp.prefix(20) {
            #expect(text.contains("\"id.orig_p\":\(row["icmp_type"].int),\"id.resp_h\""), "ICMP type \(row["icmp_type"].int)")
        }
    }
}
