import PortScopeAnalysis
import PortScopeDecode
import PortScopeStore
import Testing

/// The findings' promises on every readable capture of the corpus: each flow with a connection
/// state, no group address as a host of any report or finding, no cut payload called
/// unrecognised, one finding per host, protocol and port.
@Suite(.enabled(if: Corpus.root != nil, "set PORTSCOPE_CORPUS to the shared corpus directory"))
struct FindingsConformanceTests {
    @Test(arguments: Corpus.files.filter { Corpus.oracle[$0]?["status"] as? String != "unreadable" })
    func capture(_ name: String) throws {
        let directory = TemporaryDirectory()
        guard (try? analyze(Corpus.root! + "/" + name, in: directory)) != nil else { return }
        let store = try CaptureStore(readingFrom: directory.file("test.db"))
        let stateless = try store.rows("""
            SELECT proto || ' ' || client_addr || ' ' || server_addr FROM flows
            WHERE proto IN ('tcp', 'udp', 'icmp', 'icmpv6') AND (conn_state IS NULL OR history IS NULL OR engagement IS NULL)
            """)
        #expect(stateless.isEmpty, "\(name): flows without a connection state: \(stateless.prefix(3))")

        let lines = try HostView.lines(store, captures: .all, hosts: HostSelection(), local: .privateRanges)
        let groups = lines.filter { $0.host.isGroupAddress || $0.remote?.isGroupAddress == true }
        #expect(groups.isEmpty, "\(name): group addresses in hosts: \(groups.prefix(3).map { "\($0.host) \($0.service)" })")

        let findings = try Findings.find(store, captures: .all, options: FindingOptions())
        #expect(!findings.contains { $0.host.isGroupAddress }, "\(name): a finding names a group address")
        let keys = findings.filter { $0.kind != .scan }.map { "\($0.host) \($0.proto?.name ?? "") \($0.port ?? 0)" }
        #expect(Set(keys).count == keys.count, "\(name): more than one finding for one port: \(keys.sorted())")
        for finding in findings where finding.kind == .protocolMismatch && finding.reason.contains("unrecognised payload") {
            let cut = cutOnly(store, finding)
            #expect(!cut, "\(name): a cut payload called unrecognised: \(finding.reason)")
        }
    }

    /// Whether every flow of the finding's service carried only cut payloads.
    private func cutOnly(_ store: borrowing CaptureStore, _ finding: Finding) -> Bool {
        guard let proto = finding.proto, let port = finding.port,
              let rows = try? store.rows("""
                SELECT COUNT(*) FROM flows WHERE server_addr = ?1 AND proto = ?2 AND server_port = ?3 AND app_proto != 'cut'
                """, [.text(finding.host.description), .text(proto.name), .int(Int64(port))]),
              case .int(let n) = rows.first?.first else { return false }
        return n == 0
    }
}
