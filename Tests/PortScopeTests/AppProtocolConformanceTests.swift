import Foundation
import PortScopeAnalysis
import PortScopeReport
import PortScopeSQLite
import PortScopeStore
import Testing

/// Protocol detection against tshark on the corpus's ordinary traffic: `Conformance/app-protocols.json`
/// holds, per TCP/UDP conversation, the protocols tshark's dissectors name that PortScope has a
/// detector for (made by `scripts/app-protocol-oracle`, which needs tshark; CI reads the file).
enum AppProtocolOracle {
    nonisolated(unsafe) static let json: [String: Any] = {
        guard let data = FileManager.default.contents(atPath: repositoryRoot + "/Tests/PortScopeTests/Conformance/app-protocols.json"),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return json
    }()
    /// Per capture, per conversation: the protocols tshark names.
    static var captures: [String: [String: [String]]] { json["captures"] as? [String: [String: [String]]] ?? [:] }
    /// Per capture, per conversation: the TLS server names and HTTP hosts tshark reads.
    static var names: [String: [String: [String]]] { json["names"] as? [String: [String: [String]]] ?? [:] }

}

@Suite(.enabled(if: Corpus.root != nil, "set PORTSCOPE_CORPUS to the shared corpus directory"))
struct AppProtocolConformanceTests {
    @Test func theOracleIsThere() {
        #expect(AppProtocolOracle.captures.count == 43)
    }

    /// Every conversation tshark names is detected as the same protocol (each of its flows), and
    /// ordinary traffic yields no `protocol_mismatch`. (`ssh__ssh.pcap` has SSH servers on the
    /// unregistered ports 2200 and 41644: detected as `ssh`, and no mismatch, as those ports claim nothing.)
    @Test(arguments: AppProtocolOracle.captures.keys.sorted())
    func capture(_ name: String) throws {
        let directory = TemporaryDirectory()
        _ = try analyze(Corpus.root! + "/" + name, in: directory)
        let store = try CaptureStore(readingFrom: directory.file("test.db"))
        var ours: [String: [String]] = [:], ourNames: [String: [String]] = [:]
        for row in try store.rows("""
            SELECT proto, client_addr, client_port, server_addr, server_port, coalesce(app_proto, '-'), coalesce(app_name, '-') FROM flows
            """) {
            let r = row.map(Self.string)
            let ends = ["\(r[1]) \(r[2])", "\(r[3]) \(r[4])"].sorted()
            let conversation = "\(r[0]) \(ends.joined(separator: " "))"
            ours[conversation, default: []].append(r[5])
            ourNames[conversation, default: []].append(r[6])
        }
        var differences: [String] = []
        for (conversation, names) in AppProtocolOracle.captures[name] ?? [:] {
            let found = ours[conversation] ?? []
            if found.isEmpty || found.contains(where: { !names.contains($0) }) {
                differences.append("\(conversation): tshark \(names), ours \(found)")
            }
        }
        // TLS server names and HTTP hosts, over TCP (QUIC's are in its encrypted Initial, which
        // tshark decrypts and PortScope does not): each flow names one tshark read there.
        for (conversation, names) in AppProtocolOracle.names[name] ?? [:] where conversation.hasPrefix("tcp ") {
            let found = ourNames[conversation] ?? []
            if found.isEmpty || found.contains(where: { !names.contains($0) }) {
                differences.append("\(conversation): tshark names \(names), ours \(found)")
            }
        }
        #expect(differences.isEmpty, "\(name): \(differences.sorted().prefix(5))")
        let findings = try Findings.find(store, captures: .all, options: FindingOptions()).filter { $0.kind == .protocolMismatch }
        #expect(findings.isEmpty, "\(name): \(findings.map(\.reason))")
    }

    private static func string(_ cell: Statement.Value) -> String {
        switch cell {
        case .text(let text): text
        case .int(let value): String(value)
        default: "-"
        }
    }
}
