import Foundation
import PortScopeStore
import Testing

/// The command line as a careful user expects it: one error contract on every command, repeated
/// options never silently dropped, filters that mean the same everywhere.
@Suite struct CommandLineContractTests {
    /// Every command, with what it needs to get as far as its options.
    static let commands: [[String]] = [
        ["analyze", "x.pcap"], ["live", "-i", "lo"], ["interfaces"], ["captures"], ["forget", "1"], ["services"], ["flows"],
        ["export", "--format", "zeek"], ["hosts"], ["unexpected"], ["diff", "1", "2"], ["timeline"], ["report", "--html", "x.html"], ["exposure"],
        ["merge", "x.db"],
        ["policy", "init"],
        ["policy", "check", "p.txt"],
    ]

    /// A usage error: `Error: …` and the `--help` to read, nothing else, exit status 64.
    @Test(arguments: commands)
    func usageErrors(_ command: [String]) throws {
        let run = try portscope(command + ["--bogus"])
        let lines = run.err.split(separator: "\n")
        #expect(run.status == 64 && run.out.isEmpty, "\(command): \(run.status) \(run.out)")
        #expect(lines.count == 2 && lines.first?.hasPrefix("Error: Unknown option '--bogus'") == true, "\(command): \(run.err)")
        let name = command.prefix { $0 != "x.pcap" && $0 != "-i" && $0 != "--format" && Int($0) == nil && $0 != "p.txt" }
        #expect(lines.last == "  See 'portscope \(name.first!) --help'.", "\(command): \(run.err)")
    }

    /// Help states defaults as a user would type them, never a Swift value.
    @Test(arguments: commands)
    func helpShowsValuesAsTyped(_ command: [String]) throws {
        let name = Array(command.prefix { $0.first?.isLetter == true && !["x.pcap", "p.txt", "x.db"].contains($0) })
        let run = try portscope(name + ["--help"])
        #expect(run.status == 0 && run.out.contains("USAGE: portscope \(name.joined(separator: " "))"), "\(name)")
        // Every command shows how it is used.
        let examples = run.out.components(separatedBy: "Examples:").last ?? ""
        #expect(run.out.contains("Examples:") && examples.contains("portscope \(name.joined(separator: " ")) "), "\(name): no examples")
        for debris in ["TimeSpan(", "Optional(", "nanoseconds:", "rawValue", "IPProtocol("] {
            #expect(!run.out.contains(debris), "\(name): \(debris)")
        }
        if name == ["live"] {
            let flush = run.out.replacing("\n", with: " ").replacing(#/ +/#, with: " ")
            #expect(flush.contains("(default: 10s)") && flush.contains("--snaplen <snaplen> Bytes kept of each packet, 64-65535"), "\(flush)")
        }
    }

    /// A runtime error: one line, exit status 1; the database is not created by a report.
    @Test(arguments: commands.filter { !["analyze", "live", "interfaces", "policy"].contains($0[0]) })
    func runtimeErrors(_ command: [String]) throws {
        let dir = TemporaryDirectory(), db = dir.file("none.db")
        let run = try portscope(command + ["--db", db])
        #expect(run.status == 1 && run.err.hasPrefix("Error: ") && run.err.split(separator: "\n").count == 1, "\(command): \(run.err)")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    /// A mistyped command names the nearest one; a word like none lists them.
    @Test(arguments: [("servces", "services"), ("flws", "flows"), ("expot", "export"), ("unexpeted", "unexpected"), ("hsots", "hosts")])
    func nearestCommand(_ typed: String, _ meant: String) throws {
        let run = try portscope([typed])
        #expect(run.status == 64 && run.err == "Error: unknown command '\(typed)'; did you mean '\(meant)'?\n  See 'portscope --help'.\n",
                "\(run.err)")
        let far = try portscope(["zzzzzzzz"])
        #expect(far.status == 64 && far.err.hasPrefix("Error: unknown command 'zzzzzzzz' (commands: analyze, live,"), "\(far.err)")
    }

    /// An option that takes one value, given twice, is refused rather than keeping the last.
    @Test(arguments: [["flows", "--db", "a.db", "--db", "b.db"], ["services", "--sort", "bytes", "--sort=flows"],
                      ["flows", "--top", "1", "--top", "2"], ["analyze", "x.pcap", "--name", "a", "--name", "b"]])
    func repeatedSingleOptions(_ command: [String]) throws {
        let run = try portscope(command)
        let option = command.dropFirst().first { $0.hasPrefix("--") }!
        #expect(run.status == 64 && run.err.hasPrefix("Error: \(option) given more than once; it takes one value\n"), "\(run.err)")
    }

    /// A database of two captures: the office's Monday (IPv4 and IPv6 services) and a ping.
    static func database(_ dir: TemporaryDirectory) throws -> String {
        let db = dir.file("c.db")
        var pings = TrafficCapture()
        pings.ping("192.168.1.10", "192.168.1.1")  // answered
        pings.ping("192.168.1.1", "192.168.1.10", reply: true)
        pings.ping("192.168.1.10", "192.168.1.2")
        try pings.write(to: dir.file("ping.pcap"))
        #expect(try portscope(["analyze", sample("office-monday.pcap"), dir.file("ping.pcap"), "--db", db, "--quiet"]).status == 0)
        return db
    }

    static func csv(_ arguments: [String], _ db: String) throws -> [[String: String]] {
        let run = try portscope(arguments + ["--format", "csv", "--db", db])
        #expect(run.status == 0, "\(arguments): \(run.err)")
        let lines = run.out.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// The system's own /etc/services is read as it is (its ddp lines skipped); a malformed file
    /// names its line.
    @Test func systemServicesFile() throws {
        let dir = TemporaryDirectory(), db = try Self.database(dir)
        if FileManager.default.fileExists(atPath: "/etc/services") {
            let run = try portscope(["services", "--services", "/etc/services", "--db", db])
            #expect(run.status == 0 && run.out.contains("domain"), "\(run.err)")
        }
        let bad = dir.file("bad-services")
        try "web 8080/tcp\nbroken 99999/tcp\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let run = try portscope(["flows", "--services", bad, "--db", db])
        #expect(run.status == 1 && run.err == "Error: \(bad): line 2: expected 'name port/protocol [aliases]': broken 99999/tcp\n", "\(run.err)")
    }

    /// A partial capture says why, in the table and in JSON: here a file cut while being written
    /// (its last record torn).
    @Test func partialCaptureSaysWhy() throws {
        let dir = TemporaryDirectory(), path = dir.file("torn.pcap"), db = dir.file("t.db")
        let whole = try Data(contentsOf: URL(fileURLWithPath: sample("office-monday.pcap")))
        try whole.prefix(whole.count - 30).write(to: URL(fileURLWithPath: path))
        _ = try portscope(["analyze", path, "--db", db, "--quiet"])
        let json = try portscope(["captures", "--format", "json", "--db", db]).out
        #expect(json.contains("\"status\": \"partial\"") && json.contains(#/"damage": "torn last record: \d+ trailing bytes"/#), "\(json)")
        // The table leaves the reason to --wide (or --columns), where it is whole.
        #expect(try portscope(["captures", "--wide", "--db", db]).out.contains("torn last record: "))
        #expect(try portscope(["captures", "--columns", "id,status,damage", "--db", db]).out.contains("partial  torn last record: "))
    }

    /// What was read as intended (an ARP frame) is listed apart from what was not fully decoded
    /// (an IPv4 header cut short), in analyze's summary and in `captures`.
    @Test func notesApartFromFailures() throws {
        let dir = TemporaryDirectory(), path = dir.file("notes.pcap"), db = dir.file("n.db")
        var capture = TrafficCapture()
        capture.session("192.168.1.10", 40000, "192.168.1.80", 80)
        let ethernet: [UInt8] = Array(repeating: 0xFF, count: 6) + [2, 0, 0, 0, 0, 1]
        // ARP request (ethertype 0x0806): hardware type 1, IPv4, lengths 6 and 4, op 1, addresses.
        capture.frame(ethernet + [0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1] + Array(repeating: 0, count: 20))
        // IPv4 (ethertype 0x0800) whose header stops after 10 of its 20 bytes.
        capture.frame(ethernet + [0x08, 0x00, 0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6])
        try capture.write(to: path)
        let run = try portscope(["analyze", path, "--db", db])
        #expect(run.status == 0 && run.out.contains("\n  not fully decoded: truncated.ipv4 1\n"), "\(run.out)")
        #expect(run.out.contains("\n  noted, not failures: unsupported.ethertype (non-IP frames: ARP, STP, LLDP, …) 1\n"), "\(run.out)")
        let row = try Self.csv(["captures"], db).first
        #expect(row?["not_decoded"] == "truncated.ipv4 1" && row?["notes"] == "unsupported.ethertype 1", "\(String(describing: row))")
        let json = try portscope(["captures", "--format", "json", "--db", db]).out
        #expect(json.contains(#""not_decoded": "truncated.ipv4 1", "notes": "unsupported.ethertype 1""#), "\(json)")
        // Packets the filter leaves out are a note too.
        let filtered = try portscope(["analyze", path, "--filter", "not arp", "--db", db])
        #expect(filtered.out.contains("\n  noted, not failures: filter.excluded 1\n"), "\(filtered.out)")
    }

    /// A `hosts` table ends with what it left out for the hosts it lists, by why; JSON has only
    /// the rows.
    @Test func hostsSayWhatTheyLeaveOut() throws {
        let dir = TemporaryDirectory(), path = dir.file("hosts.pcap"), db = dir.file("h.db")
        var capture = TrafficCapture()
        capture.session("192.168.1.10", 40000, "192.168.1.80", 80)
        capture.synProbe("192.168.1.10", 40001, "192.168.1.80", 23, answer: .nothing)
        capture.ping("192.168.1.10", "192.168.1.1")
        capture.ping("192.168.1.1", "192.168.1.10", reply: true)
        capture.udp("192.168.1.10", 68, "255.255.255.255", 67)
        capture.session("192.168.1.20", 40000, "192.168.1.80", 80)  // another host: not counted
        capture.ping("192.168.1.20", "192.168.1.1")
        try capture.write(to: path)
        #expect(try portscope(["analyze", path, "--db", db, "--quiet"]).status == 0)
        let one = try portscope(["hosts", "192.168.1.10", "--db", db])
        #expect(one.status == 0 && one.out.hasSuffix("\nnot shown for the host listed: probes and unanswered attempts 1 flows (1 packets); "
            + "ICMP 1 flows (2 packets); to broadcast or multicast 1 flows (1 packets)\n"), "\(one.out)")
        let two = try portscope(["hosts", "192.168.1.10", "192.168.1.20", "--db", db]).out
        #expect(two.hasSuffix("\nnot shown for the 2 hosts listed: probes and unanswered attempts 1 flows (1 packets); "
            + "ICMP 2 flows (3 packets); to broadcast or multicast 1 flows (1 packets)\n"), "\(two)")
        let json = try portscope(["hosts", "192.168.1.10", "--format", "json", "--db", db]).out
        #expect(json.hasPrefix("[") && json.hasSuffix("]\n"), "\(json)")
    }

    /// A report that only reads leaves no `-wal`/`-shm` files behind that were not there; while
    /// another connection (a running `live`) holds the database, its files stay.
    @Test func reportsLeaveNoLitter() throws {
        let dir = TemporaryDirectory(), db = try Self.database(dir)
        func litter() -> [String] { ["-wal", "-shm"].filter { FileManager.default.fileExists(atPath: db + $0) } }
        #expect(litter().isEmpty)
        for command in [["captures"], ["services"], ["flows"], ["hosts"], ["unexpected"], ["diff", "1", "2"],
                        ["export", "--format", "ecs"], ["timeline"], ["policy", "init"], ["services", "--capture", "nothing"]] {
            _ = try portscope(command + ["--db", db])
            #expect(litter().isEmpty, "\(command)")
        }
        let writer = try CaptureStore(path: db)
        _ = try writer.query("SELECT COUNT(*) AS n FROM captures")
        let run = try portscope(["services", "--db", db])
        #expect(run.status == 0 && !litter().isEmpty, "\(run.err)")
        _ = consume writer
    }

    /// Repeats and comma lists mean any of the values, the same in both forms; `--host` takes a
    /// network; `--server-port` is the server's side only; ICMP flows show their type and code.
    @Test func listsMeanAnyOfThem() throws {
        let dir = TemporaryDirectory(), db = try Self.database(dir)
        let all = try Self.csv(["flows"], db)
        func flows(_ arguments: [String]) throws -> Set<[String: String]> { Set(try Self.csv(["flows"] + arguments, db)) }
        let dns = try flows(["--port", "53"]), web = try flows(["--port", "80"])
        #expect(!dns.isEmpty && !web.isEmpty)
        #expect(try flows(["--port", "53", "--port", "80"]) == dns.union(web))
        #expect(try flows(["--port", "53,80"]) == dns.union(web))
        #expect(try flows(["--server-port", "53"]) == dns.filter { $0["server_port"] == "53" })
        let hosts = Set(all.flatMap { [$0["client_addr"]!, $0["server_addr"]!] })
        let (a, b) = ("192.168.1.10", "192.168.1.5")
        #expect(hosts.contains(a) && hosts.contains(b))
        let either = try flows(["--host", a, "--host", b])
        #expect(!either.isEmpty && either == Set(all.filter { [a, b].contains($0["client_addr"]!) || [a, b].contains($0["server_addr"]!) }))
        let network = try flows(["--host", "192.168.1.0/24"])
        #expect(network == Set(all.filter { $0["client_addr"]!.hasPrefix("192.168.1.") || $0["server_addr"]!.hasPrefix("192.168.1.") }))
        let icmp = try flows(["--proto", "icmp"])
        #expect(icmp.count == 2 && icmp.allSatisfy { $0["icmp_type"] == "8" && $0["icmp_code"] == "0" }, "\(icmp)")
        #expect(try flows(["--proto", "tcp,udp"]).count == all.count - 2)
        let exported = try portscope(["export", "--format", "zeek-json", "--host", "192.168.1.0/24", "--port", "53,80", "--db", db])
        #expect(exported.out.split(separator: "\n").count == Set(all.filter { row in
            (["53", "80"].contains(row["server_port"]!) || ["53", "80"].contains(row["client_port"]!))
                && (row["client_addr"]!.hasPrefix("192.168.1.") || row["server_addr"]!.hasPrefix("192.168.1."))
        }).count)

        // Two captures named together: the services of both.
        func packets(_ rows: [[String: String]]) -> Int { rows.reduce(0) { $0 + Int($1["packets"]!)! } }
        let one = try Self.csv(["services", "--capture", "1"], db), two = try Self.csv(["services", "--capture", "2"], db)
        #expect(packets(try Self.csv(["services", "--capture", "1", "--capture", "2"], db)) == packets(one) + packets(two))
        #expect(try Self.csv(["services", "--capture", "1,2"], db) == Self.csv(["services"], db))
        let bad = try portscope(["flows", "--host", "10.0.0.0/33", "--db", db])
        #expect(bad.status == 64 && bad.err.hasPrefix("Error: --host: '10.0.0.0/33' is not an IPv4 or IPv6 address or network"))
    }
}
