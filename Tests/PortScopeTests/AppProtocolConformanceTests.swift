import Foundation
import PortScopeReport
import PortScopeStore
import Testing

/// Protocol detection against tshark on the corpus's ordinary traffic: `Conformance/app-protocols.json`
/// holds, per TCP/UDP conversation, the protocols tshark's dissectors name that PortScope has a
/// detector for (made by `scripts/app-protocol-oracle`, which needs tshark; CI reads the file).
enum AppProtocolOracle {
    nonisolated(unsafe) static let captures: [String: [String: [String]]] = {
        guard let data = FileManager.default.contents(atPath: repositoryRoot + "/Tests/PortScopeTests/Conformance/app-protocols.json"),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return json["captures"] as? [String: [String: [String]]] ?? [:]
    }()

    /// Findings on ordinary traffic that are right: real services on ports not their own.
    static let expectedFindings: [String: [String]] = [
        "traffic/ssh__ssh.pcap": [
            "protocol_mismatch 128.2.6.88 41644",  // an SSH server on a high port (tshark names it only on 22)
            "protocol_mismatch 192.168.2.158 2200",  // an SSH server on 2200
        ],
    ]
}

@Suite(.enabled(if: Corpus.root != nil, "set PORTSCOPE_CORPUS to the shared corpus directory"))
struct AppProtocolConformanceTests {
    @Test func theOracleIsThere() {
        #expect(AppProtocolOracle.captures.count == 19)
    }

    /// Every conversation tshark names is detected as the same protocol (each of its flows), and
    /// the protocol findings are exactly the expected ones.
    @Test(arguments: AppProtocolOracle.captures.keys.sorted())
    func capture(_ name: String) throws {
        let directory = TemporaryDirectory()
        _ = try analyze(Corpus.root! + "/" + name, in: directory)
        let store = try CaptureStore(readingFrom: directory.file("test.db"))
        var ours: [String: [String]] = [:]
        for row in try store.rows("SELECT proto, client_addr, client_port, server_addr, server_port, coalesce(app_proto, '-') FROM flows") {
            let r = row.map(Self.string)
            let ends = ["\(r[1]) \(r[2])", "\(r[3]) \(r[4])"].sorted()
            ours["\(r[0]) \(ends.joined(separator: " "))", default: []].append(r[5])
        }
        var differences: [String] = []
        for (conversation, names) in AppProtocolOracle.captures[name] ?? [:] {
            let found = ours[conversation] ?? []
            if found.isEmpty || found.contains(where: { !names.contains($0) }) {
                differences.append("\(conversation): tshark \(names), ours \(found)")
            }
        }
        #expect(differences.isEmpty, "\(name): \(differences.sorted().prefix(5))")
        let findings = try Reports.findings(store, captures: .all, options: FindingOptions()).filter { $0.kind == .protocolMismatch }
        #expect(findings.map { "\($0.kind.rawValue) \($0.host) \($0.port!)" } == AppProtocolOracle.expectedFindings[name] ?? [])
    }

    private static func string(_ cell: Statement.Value) -> String {
        switch cell {
        case .text(let text): text
        case .int(let value): String(value)
        default: "-"
        }
    }
}
