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
        findings += ExposureFindings.find(try Exposure(store, captures: captures, local: options.local), policy: options.policy,
                                          registry: options.registry)
        findings = oneByPort(findings)
        if let policy = options.policy {
            for i in findings.indices { findings[i].silencedBy = policy.silence(of: findings[i])?.origin }
        }
        return findings
    }

    /// Most severe first; then by kind (`FindingKind`'s order), host, protocol and port.
    static func mostSevereFirst(_ a: Finding, _ b: Finding) -> Bool {
        let kinds = FindingKind.allCases
        if a.severity != b.severity { return a.severity > b.severity }
        if a.kind != b.kind { return kinds.firstIndex(of: a.kind)! < kinds.firstIndex(of: b.kind)! }
        if a.host != b.host { return a.host < b.host }
        if a.proto?.rawValue != b.proto?.rawValue { return (a.proto?.rawValue ?? 0) < (b.proto?.rawValue ?? 0) }
        return (a.port ?? 0) < (b.port ?? 0)
    }

    /// One finding per host, protocol and port: the strongest stands and its reason names the
    /// others' (`; also new_service: …`). Strongest: the most severe; at equal severity a
    /// well-known source port wins, since it rests on who opened the flows, which the server-side
    /// decision the others rest on cannot hide; then `FindingKind`'s order. Findings on no single
    /// port (scans) stand alone.
    static func oneByPort(_ findings: [Finding]) -> [Finding] {
        struct Key: Hashable { var host: IPAddress; var proto: UInt8; var port: UInt16 }
        func stronger(_ a: Finding, _ b: Finding) -> Bool {
            if a.severity != b.severity { return a.severity > b.severity }
            if (a.kind == .wellKnownSourcePort) != (b.kind == .wellKnownSourcePort) { return a.kind == .wellKnownSourcePort }
            return mostSevereFirst(a, b)
        }
        var groups: [Key: [Finding]] = [:]
        var alone: [Finding] = []
        for finding in findings {
            guard let proto = finding.proto, let port = finding.port else {
                alone.append(finding)
                continue
            }
            groups[Key(host: finding.host, proto: proto.rawValue, port: port), default: []].append(finding)
        }
        let merged = groups.values.map { group in
            let ranked = group.sorted(by: stronger)
            var first = ranked[0]
            for other in ranked.dropFirst() {
                first.reason += "; also \(other.kind.rawValue): \(other.reason)"
                first.brief += "; also \(other.kind.rawValue)"
            }
            return first
        }
        return (alone + merged).sorted(by: mostSevereFirst)
    }
}
