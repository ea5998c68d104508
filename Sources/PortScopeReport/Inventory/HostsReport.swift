import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// Which hosts the host view shows.
public struct HostSelection: Sendable {
    /// Only hosts in these networks (an address is a network of one); every host when nil.
    public var networks: [IPNetwork]?
    /// Only local hosts.
    public var localOnly = false

    public init(networks: [IPNetwork]? = nil, localOnly: Bool = false) {
        self.networks = networks
        self.localOnly = localOnly
    }

    /// Whether `host` is shown. A multicast group or the broadcast address is never a host,
    /// whatever was sent to it.
    func includes(_ host: IPAddress, local: LocalNetworks) -> Bool {
        if host.isGroupAddress { return false }
        if localOnly && !local.contains(host) { return false }
        guard let networks else { return true }
        return networks.contains { $0.contains(host) }
    }
}

extension Reports {
    /// Per host, the services it serves (one row per service: its clients and traffic each
    /// way) and the services it uses (one row per remote service). Directions are the host's own:
    /// `in` is what it received. Only established traffic counts (`FlowEvidence`); probes are
    /// the `scan` finding's. `app_proto` is the protocol most of the row's flows carried and
    /// `app_mix` every one with its flows (`tls 20, unknown 1`). With `explain`, a `decided_by` column says how the server side of the
    /// row's flows was decided.
    public static func hosts(_ store: borrowing CaptureStore, captures: CaptureSelection, hosts: HostSelection,
                             local: LocalNetworks, explain: Bool, registry: ServiceRegistry) throws -> Report {
        let traffic = try ServiceTraffic(store, captures: captures)
        struct Row {
            var host: IPAddress
            var serves: Bool
            var service: ServiceKey
            var remote: IPAddress?
            var clients: Int?
            var totals: TrafficTotals
        }
        var rows: [Row] = []
        for (service, use) in traffic.services() where hosts.includes(service.server, local: local) {
            rows.append(Row(host: service.server, serves: true, service: service, remote: nil,
                            clients: use.peers.count, totals: use.totals))
        }
        for pair in traffic.pairs where hosts.includes(pair.client, local: local) {
            rows.append(Row(host: pair.client, serves: false, service: pair.service, remote: pair.service.server,
                            clients: nil, totals: pair.totals))
        }
        // Local hosts first, then by address; serves before uses; the busiest rows first.
        rows.sort { a, b in
            let localA = local.contains(a.host), localB = local.contains(b.host)
            if localA != localB { return localA }
            if a.host != b.host { return a.host < b.host }
            if a.serves != b.serves { return a.serves }
            if a.totals.bytes != b.totals.bytes { return a.totals.bytes > b.totals.bytes }
            return a.service < b.service
        }
        var columns = [
            ReportColumn("host"), ReportColumn("scope"), ReportColumn("role"), ReportColumn("proto"),
            ReportColumn("port", numeric: true), ReportColumn("service"), ReportColumn("app_proto"), ReportColumn("remote"),
            ReportColumn("clients", numeric: true), ReportColumn("flows", numeric: true),
            ReportColumn("handshakes", numeric: true),
            ReportColumn("packets_in", numeric: true), ReportColumn("packets_out", numeric: true),
            ReportColumn("bytes_in", numeric: true), ReportColumn("bytes_out", numeric: true),
            ReportColumn("first_seen"), ReportColumn("last_seen"), ReportColumn("app_mix"),
        ]
        if explain { columns.append(ReportColumn("decided_by")) }
        return Report(columns: columns, rows: rows.map { row in
            let t = row.totals, s = row.service
            // The host's own view: a server receives c2s, a client sends it.
            let (packetsIn, packetsOut) = row.serves ? (t.packetsC2S, t.packetsS2C) : (t.packetsS2C, t.packetsC2S)
            let (bytesIn, bytesOut) = row.serves ? (t.bytesC2S, t.bytesS2C) : (t.bytesS2C, t.bytesC2S)
            var cells: [Report.Cell] = [
                .text(row.host.description), .text(local.contains(row.host) ? "local" : "external"),
                .text(row.serves ? "serves" : "uses"), .text(s.proto.name), .int(Int64(s.port)),
                serviceName(registry, s.proto, s.port), t.apps.cells.main, row.remote.map { .text($0.description) } ?? .null,
                row.clients.map { .int(Int64($0)) } ?? .null, .int(t.flows),
                s.proto == .tcp ? .int(t.handshakes) : .null,
                .int(packetsIn), .int(packetsOut), .int(bytesIn), .int(bytesOut),
                .text(formatTimestamp(t.first)), .text(formatTimestamp(t.last)), t.apps.cells.mix,
            ]
            if explain { cells.append(.text(t.decisions.description)) }
            return cells
        })
    }
}
