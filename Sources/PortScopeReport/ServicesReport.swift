import PortScopeAnalysis
import PortScopeDecode
import PortScopeFlows
import PortScopeSQLite
import PortScopeStore

extension Reports {
    /// The columns of `services`; `apps` holds each port's application protocols.
    static func serviceColumns(registry: ServiceRegistry, apps: [String: AppMix]) -> [ReportColumn<QueryRow>] {
        @Sendable func mix(_ row: QueryRow) -> AppMix { apps["\(row["proto"].text)/\(row["port"].int)"] ?? AppMix() }
        return [
            ReportColumn("proto", sql: "proto"),
            ReportColumn("port", .number, sql: "server_port"),
            ReportColumn("service", absent: "unassigned") { row in
                serviceName(registry, IPProtocol(name: row["proto"].text) ?? .tcp, UInt16(clamping: row["port"].int))
            },
            // IANA's range of the port: well-known, registered, dynamic.
            ReportColumn("class", header: "IANA_RANGE", detail: true) { row in .text(PortClass(port: UInt16(clamping: row["port"].int)).rawValue) },
            ReportColumn("app_proto") { mix($0).main.cell },
            ReportColumn("detector", detail: true) { row in
                detectors(registry, IPProtocol(name: row["proto"].text) ?? .tcp, UInt16(clamping: row["port"].int))
            },
            ReportColumn("packets", .count, sql: "SUM(packets_c2s + packets_s2c)"),
            ReportColumn("bytes", .bytes, sql: "SUM(bytes_c2s + bytes_s2c)"),
            ReportColumn("flows", .count, sql: "SUM(flows)"),
            ReportColumn("clients", .count, sql: "COUNT(DISTINCT client_addr)"),
            ReportColumn("servers", .count, sql: "COUNT(DISTINCT server_addr)"),
            ReportColumn("packets_c2s", .count, detail: true, sql: "SUM(packets_c2s)"),
            ReportColumn("packets_s2c", .count, detail: true, sql: "SUM(packets_s2c)"),
            ReportColumn("bytes_c2s", .bytes, detail: true, sql: "SUM(bytes_c2s)"),
            ReportColumn("bytes_s2c", .bytes, detail: true, sql: "SUM(bytes_s2c)"),
            ReportColumn("first_seen", .time, sql: "MIN(first_ns)"),
            ReportColumn("last_seen", .time, detail: true, sql: "MAX(last_ns)"),
            ReportColumn("app_mix", detail: true) { mix($0).description.cell },
        ]
    }

    /// Per service port: the traffic of flows whose server used that port (`host_services`, per
    /// capture, summed over the captures selected; peers counted once), and the application
    /// protocols its flows carried (`app_proto` the one carrying most of the bytes, or `mixed`;
    /// `app_mix` all of them with their flows; from the flow rows, so null for captures analyzed
    /// with `--no-flows`).
    public static func services(_ store: borrowing CaptureStore, filter: ReportFilter, sort: ServiceSort,
                                registry: ServiceRegistry) throws(StoreError) -> Report {
        let (condition, parameters) = filter.condition(eitherSide: false, hostColumns: false)
        var apps: [String: AppMix] = [:]
        for row in try store.query("""
            SELECT proto, server_port, app_proto, COUNT(*) AS flows, SUM(bytes_c2s + bytes_s2c) AS bytes FROM flows
            WHERE \(condition) AND app_proto IS NOT NULL
            GROUP BY proto, server_port, app_proto
            """, parameters) {
            apps["\(row["proto"].text)/\(row["server_port"].int)", default: AppMix()].add(row["app_proto"].text, flows: row["flows"].int, bytes: row["bytes"].int)
        }
        let columns = serviceColumns(registry: registry, apps: apps)
        // In a time window, the flows active in it stand in for host_services (whose rows span the capture).
        let source = filter.window.isUnlimited ? "host_services" : """
            (SELECT capture_id, proto, server_addr, server_port, client_addr, 1 AS flows, handshake AS handshakes,
                    packets_c2s, bytes_c2s, packets_s2c, bytes_s2c, first_ns, last_ns
             FROM flows WHERE proto IN ('tcp', 'udp', 'sctp'))
            """
        let rows = try store.query("""
            SELECT \(ReportColumn.selectList(columns))
            FROM \(source)
            WHERE \(condition)
            GROUP BY proto, server_port
            ORDER BY CASE :sort WHEN 'packets' THEN SUM(packets_c2s + packets_s2c) WHEN 'flows' THEN SUM(flows)
                         ELSE SUM(bytes_c2s + bytes_s2c) END DESC,
                     CASE :sort WHEN 'bytes' THEN SUM(packets_c2s + packets_s2c) ELSE SUM(bytes_c2s + bytes_s2c) END DESC,
                     proto, server_port
            """, parameters.merging([":sort": .text(sort.rawValue)]) { $1 })
        return Report(columns, rows)
    }

    /// The same report of one capture, from the figures its only flush summed in memory
    /// (`ServicePortTotals`) instead of a query over what it stored: `analyze`'s summary, which
    /// a test holds equal to `services(_:filter:sort:registry:)` of that capture. With `limit`,
    /// only its first rows (the summary's top services: a capture has tens of thousands).
    public static func services(_ totals: [ServicePortTotals], sort: ServiceSort, registry: ServiceRegistry,
                                limit: Int? = nil) -> Report {
        // The query's ORDER BY: the sort's figure, then bytes (or packets when sorting by bytes), proto, port.
        func rank(_ p: ServicePortTotals) -> (Int64, Int64) {
            let f = p.figures
            switch sort {
            case .packets: return (f.packets, f.bytes)
            case .flows: return (f.flows, f.bytes)
            case .bytes: return (f.bytes, f.packets)
            }
        }
        let ordered = totals.indices.sorted { i, j in
            let (a, b) = (totals[i], totals[j])
            let (ra, rb) = (rank(a), rank(b))
            return ra != rb ? ra > rb : (a.proto.name, a.port) < (b.proto.name, b.port)
        }.prefix(limit ?? totals.count).map { totals[$0] }
        var apps: [String: AppMix] = [:]
        for port in ordered {
            for (app, sum) in port.apps { apps["\(port.proto.name)/\(port.port)", default: AppMix()].add(app, flows: sum.flows, bytes: sum.bytes) }
        }
        // Under the keys of the columns selected by SQL, the same figures.
        let names = ["proto", "port", "packets", "bytes", "flows", "clients", "servers", "packets_c2s", "packets_s2c",
                     "bytes_c2s", "bytes_s2c", "first_seen", "last_seen"]
        let rows = QueryRow.rows(names: names, ordered.map { p in
            let f = p.figures
            return [.text(p.proto.name), .int(Int64(p.port)), .int(f.packets), .int(f.bytes), .int(f.flows), .int(p.clients),
                    .int(p.servers), .int(f.packetsC2S), .int(f.packetsS2C), .int(f.bytesC2S), .int(f.bytesS2C), .int(f.first), .int(f.last)]
        })
        return Report(serviceColumns(registry: registry, apps: apps), rows)
    }
}
