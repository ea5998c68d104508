import PortScopeDecode
import PortScopeFlows
import PortScopeStore

extension Reports {
    /// How the service inventory changed from capture `a` to capture `b`: each service (server,
    /// protocol, port with established traffic) `added`, `removed`, or — with `all` — `kept`,
    /// with its clients, flows and bytes in each.
    public static func diff(_ store: borrowing CaptureStore, from a: Int64, to b: Int64, all: Bool, hosts: HostSelection,
                            local: LocalNetworks, registry: ServiceRegistry) throws -> Report {
        let before = try ServiceTraffic(store, captures: CaptureSelection(ids: [a])).services()
        let after = try ServiceTraffic(store, captures: CaptureSelection(ids: [b])).services()
        enum Change: String, Comparable {
            case added, removed, kept
            static func < (x: Change, y: Change) -> Bool { x.rank < y.rank }
            private var rank: Int { self == .added ? 0 : self == .removed ? 1 : 2 }
        }
        var rows: [(key: ServiceKey, change: Change)] = []
        for key in Set(before.keys).union(after.keys) where hosts.includes(key.server, local: local) {
            let change: Change = before[key] == nil ? .added : after[key] == nil ? .removed : .kept
            if all || change != .kept { rows.append((key, change)) }
        }
        rows.sort { x, y in x.change != y.change ? x.change < y.change : x.key < y.key }
        let columns = [
            ReportColumn("change"), ReportColumn("host"), ReportColumn("scope"), ReportColumn("proto"),
            ReportColumn("port", numeric: true), ReportColumn("service"),
            ReportColumn("clients_a", numeric: true), ReportColumn("clients_b", numeric: true),
            ReportColumn("flows_a", numeric: true), ReportColumn("flows_b", numeric: true),
            ReportColumn("bytes_a", numeric: true), ReportColumn("bytes_b", numeric: true),
        ]
        func figures(_ use: PeerTraffic?) -> (Report.Cell, Report.Cell, Report.Cell) {
            guard let use else { return (.int(0), .int(0), .int(0)) }
            return (.int(Int64(use.peers.count)), .int(use.totals.flows), .int(use.totals.bytes))
        }
        return Report(columns: columns, rows: rows.map { key, change in
            let x = figures(before[key]), y = figures(after[key])
            return [.text(change.rawValue), .text(key.server.description), .text(local.contains(key.server) ? "local" : "external"),
                    .text(key.proto.name), .int(Int64(key.port)), serviceName(registry, key.proto, key.port),
                    x.0, y.0, x.1, y.1, x.2, y.2]
        })
    }
}
