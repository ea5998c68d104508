import PortScopeAnalysis
import PortScopeFlows

extension Reports {
    /// The host view (`HostView`): per host, one row per service it serves and one per remote
    /// service it uses, with traffic from the host's own side (`in` is what it received).
    /// `app_proto` is the protocol most of the row's flows carried and `app_mix` every one with
    /// its flows (`tls 20, unknown 1`). With `explain`, `decided_by` says how the server side of
    /// the row's flows was decided. `summary`: lines from `HostView.summarised`, a use per
    /// service (a table's view): `peers` says whom (`2 clients`, `21 servers`, or the one server)
    /// and `names` the server names seen, in place of `remote` and `clients`.
    public static func hosts(_ lines: [HostService], explain: Bool, summary: Bool = false, registry: ServiceRegistry) -> Report {
        var columns: [ReportColumn<HostService>] = [
            ReportColumn("host") { .text($0.host.description) },
            ReportColumn("scope", detail: true) { .text($0.isLocal ? "local" : "external") },
            ReportColumn("role") { .text($0.serves ? "serves" : "uses") },
            ReportColumn("proto") { .text($0.service.proto.name) },
            ReportColumn("port", .number) { .int(Int64($0.service.port)) },
            ReportColumn("service", absent: "unassigned", detail: summary) { serviceName(registry, $0.service.proto, $0.service.port) },
            ReportColumn("app_proto") { $0.totals.apps.main.cell },
            ReportColumn("detector", detail: true) { detectors(registry, $0.service.proto, $0.service.port) },
        ]
        columns += summary ? [
            ReportColumn("peers") { line in
                if let clients = line.clients { return .text(counted(clients, "client")) }
                return .text(line.remote?.description ?? counted(line.servers ?? 0, "server"))
            },
        ] : [
            ReportColumn("remote") { $0.remote.map { .text($0.description) } ?? .null },
            ReportColumn("clients", .count) { $0.clients.map { .int(Int64($0)) } ?? .null },
        ]
        columns += [
            ReportColumn("flows", .count) { .int($0.totals.flows) },
            ReportColumn("handshakes", .count, detail: true) { $0.service.proto == .tcp ? .int($0.totals.handshakes) : .null },
            ReportColumn("packets_in", .count, detail: true) { .int($0.packetsIn) },
            ReportColumn("packets_out", .count, detail: true) { .int($0.packetsOut) },
            ReportColumn("bytes_in", .bytes) { .int($0.bytesIn) },
            ReportColumn("bytes_out", .bytes) { .int($0.bytesOut) },
            ReportColumn("first_seen", .time, detail: true) { .int($0.totals.first) },
            ReportColumn("last_seen", .time, detail: true) { .int($0.totals.last) },
            ReportColumn("app_mix", detail: true) { $0.totals.apps.description.cell },
        ]
        // The capturing host's own processes (live on Linux): shown only when some row has one.
        columns.append(ReportColumn("process", clip: .name, hideWhenEmpty: true) { line in
            line.totals.processes.isEmpty ? .null : .text(line.totals.processes.sorted().joined(separator: ", "))
        })
        if summary {
            columns.append(ReportColumn("names", clip: .name) { line in
                line.totals.names.isEmpty ? .null : .text(line.totals.names.sorted().joined(separator: ", "))
            })
        }
        if explain { columns.append(ReportColumn("decided_by") { .text($0.totals.decisions.description) }) }
        return Report(columns, lines)
    }

    /// "1 client", "3 clients".
    private static func counted(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
}

extension Reports {
    /// The line a `hosts` table ends with: what it did not show for the `hosts` hosts listed
    /// (nil when nothing was left out).
    public static func hostsLeftOut(_ leftOut: HostLeftOut, hosts: Int) -> String? {
        guard !leftOut.isEmpty else { return nil }
        let parts = [("probes and unanswered attempts", leftOut.probes), ("ICMP", leftOut.icmp),
                     ("to broadcast or multicast", leftOut.group), ("other IP protocols", leftOut.otherProtocols)]
            .filter { $0.1.flows > 0 }
            .map { "\($0.0) \($0.1.flows) flows (\($0.1.packets) packets)" }
        return "not shown for the \(hosts == 1 ? "host" : "\(hosts) hosts") listed: " + parts.joined(separator: "; ") + "\n"
    }
}
