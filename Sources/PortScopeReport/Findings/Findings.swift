import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// What `unexpected` looks for, beyond the rules that always run.
public struct FindingOptions: Sendable {
    /// The networks whose hosts are "ours".
    public var local: LocalNetworks
    /// Judge local hosts against this policy.
    public var policy: Policy?
    /// Compare local services with this capture's (its id, and how to name it).
    public var baseline: (id: Int64, name: String)?
    /// Probed targets that make a scan.
    public var scanThreshold: Int
    /// Application protocols allowed on ports (`--ignore ssh@tcp/443`).
    public var allowances: [Policy.Ports] = []
    public var common: CommonServices
    public var registry: ServiceRegistry

    public init(local: LocalNetworks = .privateRanges, policy: Policy? = nil, baseline: (id: Int64, name: String)? = nil,
                scanThreshold: Int = 20, common: CommonServices = .builtIn, registry: ServiceRegistry = .iana) {
        self.local = local
        self.policy = policy
        self.baseline = baseline
        self.scanThreshold = scanThreshold
        self.common = common
        self.registry = registry
    }
}

extension Reports {
    /// Every finding over `captures`, most severe first.
    public static func findings(_ store: borrowing CaptureStore, captures: CaptureSelection,
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
        let kinds = FindingKind.allCases
        return findings.sorted { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            if a.kind != b.kind { return kinds.firstIndex(of: a.kind)! < kinds.firstIndex(of: b.kind)! }
            if a.host != b.host { return a.host < b.host }
            if a.proto?.rawValue != b.proto?.rawValue { return (a.proto?.rawValue ?? 0) < (b.proto?.rawValue ?? 0) }
            return (a.port ?? 0) < (b.port ?? 0)
        }
    }

    /// Findings as rows. Stable keys: kind, severity, host, proto, port, reason, flows, peers,
    /// packets, bytes, first_seen, last_seen; with `explain`, rule and decided_by.
    public static func unexpected(_ findings: [Finding], explain: Bool) -> Report {
        var columns = [
            ReportColumn("severity"), ReportColumn("kind"), ReportColumn("host"), ReportColumn("proto"),
            ReportColumn("port", numeric: true), ReportColumn("reason"), ReportColumn("flows", numeric: true),
            ReportColumn("peers", numeric: true), ReportColumn("packets", numeric: true), ReportColumn("bytes", numeric: true),
            ReportColumn("first_seen"), ReportColumn("last_seen"),
        ]
        if explain { columns += [ReportColumn("rule"), ReportColumn("decided_by")] }
        return Report(columns: columns, rows: findings.map { f in
            let e = f.evidence
            var cells: [Report.Cell] = [
                .text(f.severity.rawValue), .text(f.kind.rawValue), .text(f.host.description),
                f.proto.map { .text($0.name) } ?? .null, f.port.map { .int(Int64($0)) } ?? .null, .text(f.reason),
                .int(e.flows), .int(Int64(e.peers)), .int(e.packets), .int(e.bytes),
                e.first == .max ? .null : .text(formatTimestamp(e.first)), e.last == .min ? .null : .text(formatTimestamp(e.last)),
            ]
            if explain { cells += [.text(f.rule), e.decisions.map { .text($0.description) } ?? .null] }
            return cells
        })
    }
}
