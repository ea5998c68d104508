import Foundation
import PortScopeIngest
import PortScopeSQLite
import PortScopeStore
import Testing

/// The corpus of real captures with tshark's ground truth (`../shared/corpus`, see ORACLE.md).
/// Runs when PORTSCOPE_CORPUS names that directory (`.ci/run` sets it); the README's test
/// command does not need it.
enum Corpus {
    static let root: String? = ProcessInfo.processInfo.environment["PORTSCOPE_CORPUS"]

    // Read once, never mutated.
    nonisolated(unsafe) static let oracle: [String: [String: Any]] = {
        guard let root, let data = FileManager.default.contents(atPath: root + "/oracle.json"),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let captures = json["captures"] as? [String: [String: Any]] else { return [:] }
        return captures
    }()

    static var files: [String] { oracle.keys.sorted() }

    /// Every corpus capture analyzed into one database, built once and shared (read only) by the
    /// suites that check its flows against reference implementations; it lives as long as the
    /// test process.
    nonisolated(unsafe) static let database: String = {
        let directory = TemporaryDirectory()
        for name in files { _ = try? analyze(root! + "/" + name, in: directory) }
        keptDirectory = directory
        return directory.file("test.db")
    }()
    nonisolated(unsafe) private static var keptDirectory: TemporaryDirectory?

    /// Where PortScope differs from the oracle on purpose: the capture, why, and the exact
    /// difference expected (so the check still fails if anything else changes).
    struct KnownDifference {
        var reason: String
        /// Expected per-port packet counts minus the oracle's.
        var portAdjustments: [String: Int64] = [:]
        /// Compare with the oracle's `libpcap_view` (the records libpcap delivers) instead.
        var useLibpcapView = false
    }

    static let knownDifferences: [String: KnownDifference] = [
        "linktypes/ipsec-ah__AH-IPcomp-IPv4.pcap": KnownDifference(
            reason: "4 packets carry IPComp (RFC 3173) DEFLATE payloads: tshark inflates them, PortScope does not decompress",
            portAdjustments: ["tcp/80": -4, "tcp/1026": -4]),
        "malformed/suricata__fuzz-6875.pcap": KnownDifference(
            reason: "the second record is torn at the end of the file: tshark counts it before failing, PortScope (like libpcap) stops before it",
            useLibpcapView: true),
    ]
}

@Suite(.enabled(if: Corpus.root != nil, "set PORTSCOPE_CORPUS to the shared corpus directory"))
struct ConformanceTests {
    @Test(arguments: Corpus.files)
    func capture(_ name: String) throws {
        let known = Corpus.knownDifferences[name]
        var truth = try #require(Corpus.oracle[name])
        if known?.useLibpcapView == true { truth = try #require(truth["libpcap_view"] as? [String: Any]) }
        let directory = TemporaryDirectory()
        let path = Corpus.root! + "/" + name
        let status = Corpus.oracle[name]?["status"] as? String

        let result: AnalysisResult
        do {
            result = try analyze(path, in: directory)
        } catch {
            // tshark could not read it either: a clear error is the right answer.
            #expect(status == "unreadable", "\(name): \(error)")
            return
        }
        #expect(status != "unreadable" || result.summary.packets == 0, "\(name): tshark cannot read this file")
        #expect(result.summary.packets == uint(truth["packets"]), "\(name): packets")
        #expect(result.summary.bytes == uint(truth["bytes"]), "\(name): bytes")

        // Per (protocol, port): packets that carried the port, as the oracle counts them.
        let store = try CaptureStore(readingFrom: directory.file("test.db"))
        let flows = try store.rows("""
            SELECT proto, client_addr, client_port, server_addr, server_port, packets_c2s + packets_s2c - fragment_packets,
                   decided_by, first_ns FROM flows WHERE proto IN ('tcp', 'udp') ORDER BY first_ns, id
            """)
        var ours: [String: UInt64] = [:]
        for f in flows {
            let proto = text(f[0]), client = int(f[2]), server = int(f[4]), packets = UInt64(int(f[5]))
            ours["\(proto)/\(client)", default: 0] += packets
            if client != server { ours["\(proto)/\(server)", default: 0] += packets }
        }
        var expected: [String: UInt64] = [:]
        let ports = truth["ports"] as? [String: [String: [String: Any]]] ?? [:]
        for (proto, table) in ports {
            for (port, figures) in table { expected["\(proto)/\(port)"] = uint(figures["packets"]) }
        }
        for (key, delta) in known?.portAdjustments ?? [:] {
            expected[key] = UInt64(Int64(expected[key] ?? 0) + delta)
        }
        let mismatched = Set(ours.keys).union(expected.keys).filter { ours[$0] != expected[$0] }.sorted()
        #expect(mismatched.isEmpty, "\(name): per-port packets differ: \(mismatched.prefix(8).map { "\($0) ours \(ours[$0] ?? 0) oracle \(expected[$0] ?? 0)" })")

        // TCP conversations with a pure SYN: the server is the SYN's destination.
        var servers: [String: Int] = [:]
        var seen = Set<String>()
        for f in flows where text(f[0]) == "tcp" {
            let ends = ["\(text(f[1])) \(int(f[2]))", "\(text(f[3])) \(int(f[4]))"].sorted()
            let conversation = ends.joined(separator: "|")
            guard text(f[6]) == "tcp_syn", !seen.contains(conversation) else { continue }
            seen.insert(conversation)
            servers["\(text(f[3])) \(int(f[4]))", default: 0] += 1
        }
        var expectedServers: [String: Int] = [:]
        for entry in (truth["syn"] as? [String: Any])?["servers"] as? [[Any]] ?? [] {
            expectedServers["\(entry[0]) \(entry[1])"] = entry[2] as? Int ?? 0
        }
        #expect(servers == expectedServers, "\(name): SYN servers differ")
        #expect(try store.rows(hostServices) == store.rows(hostServicesFromFlows), "\(name): host_services differ from the flow rows")
    }

    private func uint(_ value: Any?) -> UInt64 { (value as? NSNumber)?.uint64Value ?? 0 }
    private func text(_ cell: Statement.Value) -> String { if case .text(let t) = cell { t } else { "" } }
    private func int(_ cell: Statement.Value) -> Int64 { if case .int(let v) = cell { v } else { 0 } }
}
