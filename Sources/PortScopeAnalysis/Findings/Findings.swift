import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// Every rule of `unexpected` run over some captures.
public enum Findings {
    /// Every finding over `captures`, most severe first; those the policy's `ignore` lines
    /// silence are kept, marked `silencedBy`, for the caller to leave out or show.
    public static func find(_ store: borrowing CaptureStore, captures: CaptureSelection,
                            options: FindingOptions) throws -> [Finding] {
        let traffic = try ServiceTraffic(store, captures: captures)
        var findings = try ScanFindings.find(store, captures: captures, threshold: options.scanThreshold, local: options.local)
        findings += try UncommonPortFindings.find(store, captures: captures, traffic: traffic, common: options.common,
                                                  registry: options.registry, local: options.local)
        findings += try SourcePortFindings.find(store, captures: captures, common: options.common, registry: options.registry)
        findings += try ProtocolFindings.find(store, captures: captures, allowances: options.allowances,
                                              policy: options.policy, registry: options.registry)
        if let policy = options.policy {
            findings += PolicyFindings.find(policy, traffic: traffic, local: options.local, registry: options.registry)
        }
        if let baseline = options.baseline {
            let before = try ServiceTraffic(store, captures: CaptureSelection(ids: [baseline.id]))
            findings += BaselineFindings.find(baseline: before, baselineName: baseline.name, current: traffic,
                                              local: options.local, registry: options.registry)
        }
        if let policy = options.policy {
            for i in findings.indices { findings[i].silencedBy = policy.silence(of: findings[i])?.origin }
        }
        let kinds = FindingKind.allCases
        return findings.sorted { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            if a.kind != b.kind { return kinds.firstIndex(of: a.kind)! < kinds.firstIndex(of: b.kind)! }
            if a.host != b.host { return a.host < b.host }
            if a.proto?.rawValue != b.proto?.rawValue { return (a.proto?.rawValue ?? 0) < (b.proto?.rawValue ?? 0) }
            return (a.port ?? 0) < (b.port ?? 0)
        }
    }
}
