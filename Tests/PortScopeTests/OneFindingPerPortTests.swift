import PortScopeDecode
@testable import PortScopeAnalysis
import Testing

/// One finding per host, protocol and port: the strongest stands, naming the others; a
/// well-known source port wins a tie (it rests on who opened the flows); scans stand alone.
struct OneFindingPerPortTests {
    static func finding(_ kind: FindingKind, _ severity: Severity, port: UInt16?, reason: String) -> Finding {
        Finding(kind: kind, severity: severity, host: IPAddress("10.0.0.67")!, proto: .udp, port: port, reason: reason,
                brief: "brief " + reason, rule: "", evidence: Evidence(TrafficTotals(), peers: 1))
    }

    @Test func strongestStandsAndNamesTheOthers() {
        let merged = Findings.oneByPort([
            Self.finding(.protocolMismatch, .medium, port: 53, reason: "serves unknown"),
            Self.finding(.wellKnownSourcePort, .medium, port: 53, reason: "opened from 53"),
            Self.finding(.newService, .low, port: 53, reason: "new"),
            Self.finding(.scan, .high, port: nil, reason: "probed"),
            Self.finding(.uncommonPort, .high, port: 5000, reason: "uncommon"),
            Self.finding(.policyServe, .high, port: 5000, reason: "not allowed"),
        ])
        #expect(merged.map(\.reason) == [
            "probed",
            "uncommon; also policy_serve: not allowed",
            "opened from 53; also protocol_mismatch: serves unknown; also new_service: new",
        ])
        // A table's brief names the others by kind only.
        #expect(merged.map(\.brief) == ["brief probed", "brief uncommon; also policy_serve",
                                        "brief opened from 53; also protocol_mismatch; also new_service"])
    }
}
