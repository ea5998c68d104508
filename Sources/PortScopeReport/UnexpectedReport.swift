import PortScopeAnalysis

extension Reports {
    /// Findings as rows, most severe first as given. Stable keys: severity, kind, host, proto,
    /// port, reason, flows, peers, packets, bytes, first_seen, last_seen, open_ports and
    /// closed_ports (a scan's finds, arrays of `proto/port` in JSON; null for other findings);
    /// with `explain`, rule, decided_by and silenced_by (the policy line that silences it, or null).
    /// `brief`: the reasons without the host, protocol and port their rows show (a table's).
    public static func unexpected(_ findings: [Finding], explain: Bool, brief: Bool = false) -> Report {
        var columns: [ReportColumn<Finding>] = [
            ReportColumn("severity") { .text($0.severity.rawValue) },
            ReportColumn("kind") { .text($0.kind.rawValue) },
            ReportColumn("host") { .text($0.host.description) },
            ReportColumn("proto") { $0.proto.map { .text($0.name) } ?? .null },
            ReportColumn("port", .number) { $0.port.map { .int(Int64($0)) } ?? .null },
            ReportColumn("reason") { .text(brief ? $0.brief : $0.reason) },
            ReportColumn("flows", .count, detail: true) { .int($0.evidence.flows) },
            ReportColumn("peers", .count, detail: true) { .int(Int64($0.evidence.peers)) },
            ReportColumn("packets", .count, detail: true) { .int($0.evidence.packets) },
            ReportColumn("bytes", .bytes, detail: true) { .int($0.evidence.bytes) },
            ReportColumn("first_seen", .time, detail: true) { $0.evidence.first == .max ? .null : .int($0.evidence.first) },
            ReportColumn("last_seen", .time, detail: true) { $0.evidence.last == .min ? .null : .int($0.evidence.last) },
            ReportColumn("open_ports", .list, detail: true) { $0.openPorts.map { .text($0.joined(separator: " ")) } ?? .null },
            ReportColumn("closed_ports", .list, detail: true) { $0.closedPorts.map { .text($0.joined(separator: " ")) } ?? .null },
        ]
        if explain {
            columns += [
                ReportColumn("rule") { .text($0.rule) },
                ReportColumn("decided_by") { $0.evidence.decisions.map { .text($0.description) } ?? .null },
                ReportColumn("silenced_by") { $0.silencedBy.cell },
            ]
        }
        return Report(columns, findings)
    }
}
