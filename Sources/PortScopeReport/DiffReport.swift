import PortScopeAnalysis
import PortScopeFlows

extension Reports {
    /// How the service inventory changed (`ServiceChanges`): each service with its clients,
    /// flows and bytes in the earlier capture (`_a`) and the later one (`_b`).
    public static func diff(_ changes: [ServiceChange], registry: ServiceRegistry) -> Report {
        @Sendable func clients(_ use: PeerTraffic?) -> Report.Cell { .int(Int64(use?.peers.count ?? 0)) }
        @Sendable func flows(_ use: PeerTraffic?) -> Report.Cell { .int(use?.totals.flows ?? 0) }
        @Sendable func bytes(_ use: PeerTraffic?) -> Report.Cell { .int(use?.totals.bytes ?? 0) }
        let columns: [ReportColumn<ServiceChange>] = [
            ReportColumn("change") { .text($0.kind.rawValue) },
            ReportColumn("host") { .text($0.service.server.description) },
            ReportColumn("scope") { .text($0.isLocal ? "local" : "external") },
            ReportColumn("proto") { .text($0.service.proto.name) },
            ReportColumn("port", .number) { .int(Int64($0.service.port)) },
            ReportColumn("service", absent: "unassigned") { serviceName(registry, $0.service.proto, $0.service.port) },
            ReportColumn("clients_a", .count) { clients($0.before) },
            ReportColumn("clients_b", .count) { clients($0.after) },
            ReportColumn("flows_a", .count) { flows($0.before) },
            ReportColumn("flows_b", .count) { flows($0.after) },
            ReportColumn("bytes_a", .bytes) { bytes($0.before) },
            ReportColumn("bytes_b", .bytes) { bytes($0.after) },
        ]
        return Report(columns, changes)
    }
}
