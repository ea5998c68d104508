import Foundation
import PortScopeSQLite
import PortScopeStore
import Testing

/// Runs the built `portscope` binary.
func portscope(_ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
    try runProgram(portscopeBinary.path, arguments, stdin: stdin)
}

/// Runs any program to its end, with `stdin` as its input; its status and output.
func runProgram(_ path: String, _ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
    try RunningProgram(path, arguments, stdin: stdin).finish()
}

/// A program started in the background, its standard input written and closed.
final class RunningProgram: @unchecked Sendable {
    let process = Process()
    private let out = Pipe(), err = Pipe(), input = Pipe()
    /// Standard error, read on its own thread while standard output is read, and standard input
    /// written on another: a program that fills one pipe while the test waits on another would
    /// otherwise never finish.
    private let errRead = DispatchGroup(), inputWritten = DispatchGroup()
    private var errData = Data()

    init(_ path: String, _ arguments: [String], stdin: Data? = nil) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let writer = input.fileHandleForWriting
        DispatchQueue.global().async(group: inputWritten) {
            if let stdin { try? writer.write(contentsOf: stdin) }
            try? writer.close()
        }
        let reader = err.fileHandleForReading
        DispatchQueue.global().async(group: errRead) { [self] in errData = reader.readDataToEndOfFile() }
    }

    /// Waits for the program to end; its status and output.
    func finish() -> (status: Int32, out: String, err: String) {
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        errRead.wait()
        inputWritten.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// The test runner itself: a program that writes far more to standard error than a pipe holds
/// before it writes to standard output still finishes.
@Test func runnerReadsLargeStandardErrorWhileWaitingForOutput() throws {
    let run = try runProgram("/bin/sh", ["-c", "head -c 1000000 /dev/zero | tr '\\0' x >&2; echo done"])
    #expect(run.status == 0 && run.out == "done\n" && run.err.count == 1_000_000)
}

/// The binary SwiftPM built next to the test bundle.
let portscopeBinary: URL = {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("portscope")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir.deleteLastPathComponent()
    }
    return URL(fileURLWithPath: repositoryRoot + "/.build/debug/portscope")
}()

func sample(_ name: String) -> String { repositoryRoot + "/samples/" + name }

@Suite(.serialized)
struct CLITests {
    @Test func analyzeThenReport() throws {
        let dir = TemporaryDirectory(), db = dir.file("p.db")
        let run = try portscope(["analyze", sample("http.pcap"), sample("dns.pcap"), "--db", db])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("capture 1: \(sample("http.pcap")) (pcap, EN10MB(1))"))
        #expect(run.out.contains("packets 16, bytes 1026, flows 2"))
        #expect(run.out.contains("capture 2: \(sample("dns.pcap"))"))

        let again = try portscope(["analyze", sample("http.pcap"), "--db", db])
        #expect(again.status == 0 && again.out.contains("already in the database as capture 1"))
        let replaced = try portscope(["analyze", sample("http.pcap"), "--db", db, "--replace"])
        #expect(replaced.status == 0 && replaced.out.contains("capture 3:"))

        let captures = try portscope(["captures", "--db", db, "--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: Data(captures.out.utf8)) as! [[String: Any]]
        #expect(rows.map { $0["id"] as? Int } == [2, 3])
        #expect(rows.allSatisfy { $0["file"] is String && $0["packets"] is Int && $0["bytes"] is Int })
    }

    @Test func servicesAndFlowsJSONKeys() throws {
        let dir = TemporaryDirectory(), db = dir.file("p.db")
        _ = try portscope(["analyze", sample("tls.pcap"), sample("udp.pcap"), "--db", db])
        let services = try JSONSerialization.jsonObject(with: Data(try portscope(["services", "--db", db, "--format", "json"]).out.utf8)) as! [[String: Any]]
        let tls = try #require(services.first { $0["port"] as? Int == 443 })
        #expect(tls["proto"] as? String == "tcp" && tls["service"] as? String == "https" && tls["detector"] as? String == "tls")
        #expect(tls["packets"] as? Int == 8 && tls["flows"] as? Int == 1 && tls["bytes"] is Int)
        let flows = try JSONSerialization.jsonObject(with: Data(try portscope(["flows", "--db", db, "--format", "json", "--port", "443"]).out.utf8)) as! [[String: Any]]
        #expect(flows.count == 1)
        let flow = try #require(flows.first)
        #expect(flow["client_addr"] as? String == "2001:db8:1::10" && flow["server_addr"] as? String == "2001:db8:1::443")
        #expect(flow["client_port"] as? Int == 52000 && flow["server_port"] as? Int == 443 && flow["decided_by"] as? String == "tcp_syn")
        #expect(flow["proto"] as? String == "tcp" && flow["packets"] as? Int == 8 && flow["bytes"] is Int)
        let csv = try portscope(["services", "--db", db, "--format", "csv", "--proto", "udp"]).out
        #expect(csv.hasPrefix("proto,port,service,class,app_proto,detector,packets,bytes,flows,clients,servers,"))
        // A registered port with no detector for its service says so.
        #expect(csv.contains("\nudp,7001,afs3-callback,registered,,none,12,"))
    }

    /// Golden output: every sample's services and flows tables, byte for byte, and its flows
    /// with every column exactly.
    @Test(arguments: ["http.pcap", "dns.pcap", "tls.pcap", "udp.pcap", "vlan.pcap", "two-interfaces.pcapng"])
    func golden(_ name: String) throws {
        let dir = TemporaryDirectory(), db = dir.file("p.db")
        #expect(try portscope(["analyze", sample(name), "--db", db]).status == 0)
        let services = try portscope(["services", "--db", db]).out, flows = try portscope(["flows", "--db", db]).out
        let wide = try portscope(["flows", "--wide", "--exact", "--db", db]).out
        let output = services + "\n" + flows + "\n" + wide
        let goldenPath = repositoryRoot + "/Tests/PortScopeTests/Golden/\(name).txt"
        if ProcessInfo.processInfo.environment["PORTSCOPE_UPDATE_GOLDEN"] != nil {
            try output.write(toFile: goldenPath, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: goldenPath, encoding: .utf8)
        #expect(output == expected)
    }

    /// `--no-flows` keeps the same aggregates without a row per flow, and the reports built
    /// from flow rows say why they have nothing.
    @Test func noFlowRows() throws {
        let dir = TemporaryDirectory(), full = dir.file("full.db"), lean = dir.file("lean.db")
        let office = sample("office-monday.pcap")
        #expect(try portscope(["analyze", office, "--db", full]).status == 0)
        let run = try portscope(["analyze", "--no-flows", office, "--db", lean])
        #expect(run.status == 0 && run.out.contains("packets 70, bytes 4627, flows 11"), "\(run.err)")
        // The same aggregates; the protocol mix comes from flow rows, so the lean database has none.
        func services(_ db: String) throws -> [[String: String]] {
            let rows = try JSONSerialization.jsonObject(with: Data(try portscope(["services", "--db", db, "--format", "json"]).out.utf8)) as! [[String: Any]]
            return rows.map { $0.filter { !$0.key.hasPrefix("app_") }.mapValues { "\($0)" } }
        }
        #expect(try services(lean) == services(full))
        #expect(try portscope(["services", "--db", full]).out.contains("mysql"))
        let captures = try JSONSerialization.jsonObject(with: Data(try portscope(["captures", "--db", lean, "--format", "json"]).out.utf8)) as! [[String: Any]]
        #expect(captures.first?["flow_rows"] as? Int == 0 && captures.first?["flows"] as? Int == 11)
        for report in [["hosts"], ["flows"], ["unexpected"], ["policy", "init"]] {
            let out = try portscope(report + ["--db", lean])
            #expect(out.status == 0 && out.err.contains("capture 1 analyzed with --no-flows"), "\(report)")
        }
        #expect(try portscope(["hosts", "--db", full]).err.isEmpty)
    }

    /// A file is hashed on a second core while the first analyzes it; standard input on one.
    /// Both give the same capture: the digest sha256sum computes, the same flows and aggregates.
    @Test func twoCoresAnalyzeAsOne() throws {
        let dir = TemporaryDirectory(), path = dir.file("big.pcap")
        var t = TrafficCapture()
        // ~10 MB: several 4 MiB chunks, so the hasher follows the reader across them.
        for i in 0..<2400 {
            t.session("10.0.\(i / 200).\(i % 200 + 1)", 40000 + i, "192.168.1.\(i % 7 + 1)", [443, 22, 8443][i % 3],
                      exchanges: 2, response: 1400)
        }
        try t.write(to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count > 8 << 20)
        let sha256sum = try runProgram("/usr/bin/sha256sum", [path]).out.prefix(64)
        let (file, stdin) = (dir.file("file.db"), dir.file("stdin.db"))
        #expect(try portscope(["analyze", path, "--db", file]).status == 0)
        #expect(try portscope(["analyze", "-", "--db", stdin], stdin: bytes).status == 0)
        let query = "SELECT sha256, size, packets, bytes, flows FROM captures"
        func rows(_ db: String, _ sql: String) throws -> [[Statement.Value]] { try CaptureStore(readingFrom: db).rows(sql) }
        let fromFile = try rows(file, query)
        #expect(fromFile == (try rows(stdin, query)))
        #expect(fromFile.first?.prefix(2) == [.text(String(sha256sum)), .int(Int64(bytes.count))])
        for table in [hostServices, "SELECT * FROM flows ORDER BY id"] {
            #expect(try rows(file, table) == rows(stdin, table))
        }
    }

    @Test func standardInput() throws {
        let dir = TemporaryDirectory(), db = dir.file("p.db")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: sample("vlan.pcap")))
        let run = try portscope(["analyze", "-", "--db", db], stdin: bytes)
        #expect(run.status == 0 && run.out.contains("capture 1: - (pcap"))
        #expect(run.out.contains("packets 16,"))
    }

    @Test func filter() throws {
        let dir = TemporaryDirectory(), db = dir.file("p.db")
        let run = try portscope(["analyze", sample("dns.pcap"), "--db", db, "--filter", "ip6"])
        #expect(run.status == 0 && run.out.contains("packets 2,") && run.out.contains("filter.excluded 6"))
    }

    /// Bad input: one clear line on stderr, a non-zero exit, and the database as it was.
    @Test(arguments: [
        (["analyze", "/nonexistent/file.pcap"], "No such file or directory"),
        (["analyze", "SAMPLE", "--filter", "port port"], "bad filter 'port port'"),
        (["analyze", "NOTCAPTURE"], "not a pcap or pcapng capture file"),
        (["analyze", "SAMPLE", "--top", "3"], "Unknown option '--top'"),
        (["services", "--sort", "size"], "--sort"),
        (["flows", "--host", "10.0.0.300"], "is not an IPv4 or IPv6 address"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let dir = TemporaryDirectory(), db = dir.file("p.db")
        #expect(try portscope(["analyze", sample("udp.pcap"), "--db", db]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        try "hello, not a capture\n".write(toFile: dir.file("note.txt"), atomically: true, encoding: .utf8)
        let args = arguments.map { $0 == "SAMPLE" ? sample("http.pcap") : $0 == "NOTCAPTURE" ? dir.file("note.txt") : $0 } + ["--db", db]
        let run = try portscope(args)
        #expect(run.status != 0)
        #expect(run.err.contains(message), "\(run.err)")
        #expect(run.err.hasPrefix("Error: "))
        #expect(try portscope(["captures", "--db", db, "--format", "csv"]).out.split(separator: "\n").count == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
    }

    @Test func unwritableAndForeignDatabases() throws {
        let dir = TemporaryDirectory()
        let missingDir = try portscope(["analyze", sample("udp.pcap"), "--db", dir.file("no/such/dir/p.db")])
        #expect(missingDir.status != 0 && missingDir.err.contains("unable to open database file"))
        try "not sqlite at all, just text that is long enough to look like a header..........\n".write(toFile: dir.file("text.db"), atomically: true, encoding: .utf8)
        let foreign = try portscope(["analyze", sample("udp.pcap"), "--db", dir.file("text.db")])
        #expect(foreign.status != 0 && foreign.err.contains("not a PortScope database"), "\(foreign.err)")
        let noDB = try portscope(["services", "--db", dir.file("absent.db")])
        #expect(noDB.status != 0 && noDB.err.contains("run 'portscope analyze' first"))
    }
}
