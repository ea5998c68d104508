import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// How the services report is ordered.
public enum ServiceSort: String, Sendable, CaseIterable {
    case bytes, packets, flows
}

/// Filters shared by the reports.
public struct ReportFilter: Sendable {
    /// Only this capture (by id); all captures when nil.
    public var capture: Int64?
    public var proto: IPProtocol?
    public var port: UInt16?
    /// A host, in any textual form; matched in its standard form.
    public var host: IPAddress?
    public init(capture: Int64? = nil, proto: IPProtocol? = nil, port: UInt16? = nil, host: IPAddress? = nil) {
        self.capture = capture
        self.proto = proto
        self.port = port
        self.host = host
    }
}

/// The reports `portscope` prints, read from the database.
public enum Reports {
    /// What the database holds: one row per capture. `file` is the path of a file capture,
    /// `interface` the interface of a live one; libpcap's counters are null for files;
    /// `flow_rows` is 0 for a capture analyzed with `--no-flows`. A `running` capture whose
    /// writer is gone (killed before its last flush) shows as `interrupted`, with the figures of
    /// its last flush.
    public static func captures(_ store: borrowing CaptureStore) throws(StoreError) -> Report {
        let rows = try store.rows("""
            SELECT id, CASE WHEN kind = 'file' THEN source END, format, link_types, packets, bytes, flows, status,
                   first_ns, last_ns, size, sha256, CASE WHEN kind = 'interface' THEN source END,
                   received, dropped_kernel, dropped_interface, flow_rows, writer
            FROM captures ORDER BY id
            """).map { row in
            guard row[7] == .text("running"), case .text(let writer) = row[17], CaptureWriter.isGone(writer) else { return row }
            var shown = row
            shown[7] = .text("interrupted")
            return shown
        }
        let columns = ["id", "file", "format", "link_types", "packets", "bytes", "flows", "status",
                       "first_seen", "last_seen", "size", "sha256", "interface",
                       "received", "dropped_kernel", "dropped_interface", "flow_rows"]
        let numeric: Set = ["id", "packets", "bytes", "flows", "size", "received", "dropped_kernel", "dropped_interface",
                            "flow_rows"]
        return Report(columns: columns.map { ReportColumn($0, numeric: numeric.contains($0)) },
                      rows: rows.map { row in row.prefix(columns.count).enumerated().map { i, cell in i == 8 || i == 9 ? time(cell) : cell } })
    }

    /// Per service port: the traffic of flows whose server used that port, and the application
    /// protocols its flows carried (`app_proto` the most flows', `app_mix` all of them; from the
    /// flow rows, so null for captures analyzed with `--no-flows`).
    public static func services(_ store: borrowing CaptureStore, filter: ReportFilter, sort: ServiceSort,
                                registry: ServiceRegistry) throws(StoreError) -> Report {
        var conditions: [String] = []
        var bindings: [Statement.Value] = []
        if let capture = filter.capture { conditions.append("capture_id = ?"); bindings.append(.int(capture)) }
        if let proto = filter.proto { conditions.append("proto = ?"); bindings.append(.text(proto.name)) }
        if let port = filter.port { conditions.append("server_port = ?"); bindings.append(.int(Int64(port))) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let order = switch sort {
        case .bytes: "bytes DESC, packets DESC"
        case .packets: "packets DESC, bytes DESC"
        case .flows: "flows DESC, bytes DESC"
        }
        // service_ports per capture, summed over the captures selected; peers counted once.
        let rows = try store.rows("""
            SELECT proto, server_port, SUM(packets_c2s + packets_s2c) AS packets, SUM(bytes_c2s + bytes_s2c) AS bytes,
                   SUM(flows) AS flows, COUNT(DISTINCT client_addr), COUNT(DISTINCT server_addr),
                   SUM(packets_c2s), SUM(packets_s2c), SUM(bytes_c2s), SUM(bytes_s2c), MIN(first_ns), MAX(last_ns)
            FROM host_services \(whereClause)
            GROUP BY proto, server_port ORDER BY \(order), proto, server_port
            """, bindings)
        var mixes: [String: AppMix] = [:]
        for row in try store.rows("""
            SELECT proto, server_port, app_proto, COUNT(*) FROM flows
            \(whereClause.isEmpty ? "WHERE" : whereClause + " AND") app_proto IS NOT NULL
            GROUP BY proto, server_port, app_proto
            """, bindings) {
            mixes["\(row[0].text)/\(row[1].int)", default: AppMix()].add(row[2].text, row[3].int)
        }
        let columns: [ReportColumn] = [
            ReportColumn("proto"), ReportColumn("port", numeric: true), ReportColumn("service"), ReportColumn("class"),
            ReportColumn("app_proto"), ReportColumn("packets", numeric: true), ReportColumn("bytes", numeric: true), ReportColumn("flows", numeric: true),
            ReportColumn("clients", numeric: true), ReportColumn("servers", numeric: true),
            ReportColumn("packets_c2s", numeric: true), ReportColumn("packets_s2c", numeric: true),
            ReportColumn("bytes_c2s", numeric: true), ReportColumn("bytes_s2c", numeric: true),
            ReportColumn("first_seen"), ReportColumn("last_seen"), ReportColumn("app_mix"),
        ]
        return Report(columns: columns, rows: rows.map { r in
            let proto = IPProtocol(name: r[0].text) ?? .tcp
            let port = UInt16(clamping: r[1].int)
            let apps = (mixes["\(r[0].text)/\(r[1].int)"] ?? AppMix()).cells
            return [r[0], r[1], serviceName(registry, proto, port), .text(PortClass(port: port).rawValue), apps.main]
                + r[2..<11] + [time(r[11]), time(r[12]), apps.mix]
        })
    }

    /// Flows, largest first, with each one's server and how it was decided, and what its
    /// payload showed: `app_proto` (`unknown` when nothing was recognised, null when no payload
    /// was seen), `app_name` (TLS SNI or HTTP Host), `app_confidence`, `app_alpn`.
    public static func flows(_ store: borrowing CaptureStore, filter: ReportFilter,
                             registry: ServiceRegistry) throws(StoreError) -> Report {
        var conditions: [String] = []
        var bindings: [Statement.Value] = []
        if let capture = filter.capture { conditions.append("capture_id = ?"); bindings.append(.int(capture)) }
        if let proto = filter.proto { conditions.append("proto = ?"); bindings.append(.text(proto.name)) }
        if let port = filter.port {
            conditions.append("(server_port = ? OR client_port = ?)")
            bindings += [.int(Int64(port)), .int(Int64(port))]
        }
        if let host = filter.host {
            conditions.append("(server_addr = ? OR client_addr = ?)")
            bindings += [.text(host.description), .text(host.description)]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try store.rows("""
            SELECT capture_id, proto, client_addr, client_port, server_addr, server_port, decided_by,
                   packets_c2s + packets_s2c AS packets, bytes_c2s + bytes_s2c AS bytes,
                   packets_c2s, packets_s2c, bytes_c2s, bytes_s2c, first_ns, last_ns,
                   tcp_flags_c2s, tcp_flags_s2c, handshake, end_reason, app_proto, app_confidence, app_name, app_alpn
            FROM flows \(whereClause)
            ORDER BY bytes DESC, packets DESC, id
            """, bindings)
        let columns: [ReportColumn] = [
            ReportColumn("capture_id", numeric: true), ReportColumn("proto"),
            ReportColumn("client_addr"), ReportColumn("client_port", numeric: true),
            ReportColumn("server_addr"), ReportColumn("server_port", numeric: true), ReportColumn("service"),
            ReportColumn("app_proto"), ReportColumn("app_name"), ReportColumn("decided_by"), ReportColumn("packets", numeric: true), ReportColumn("bytes", numeric: true),
            ReportColumn("packets_c2s", numeric: true), ReportColumn("packets_s2c", numeric: true),
            ReportColumn("bytes_c2s", numeric: true), ReportColumn("bytes_s2c", numeric: true),
            ReportColumn("first_seen"), ReportColumn("last_seen"),
            ReportColumn("tcp_flags_c2s"), ReportColumn("tcp_flags_s2c"), ReportColumn("handshake"), ReportColumn("end"),
            ReportColumn("app_confidence"), ReportColumn("app_alpn"),
        ]
        return Report(columns: columns, rows: rows.map { r in
            let proto = IPProtocol(name: r[1].text) ?? .tcp
            let name: Report.Cell = proto.hasPorts
                ? serviceName(registry, proto, UInt16(clamping: r[5].int)) : .null
            let handshake: Report.Cell = r[1].text == "tcp" ? .text(r[17].int == 1 ? "yes" : "no") : .null
            return Array(r[0..<6]) + [name, r[19], r[21]] + Array(r[6..<13])
                + [time(r[13]), time(r[14]), r[15], r[16], handshake, r[18], r[20], r[22]]
        })
    }

    /// IANA's name for a port (or the user's, with --services); null when there is none.
    static func serviceName(_ registry: ServiceRegistry, _ proto: IPProtocol, _ port: UInt16) -> Report.Cell {
        registry.name(proto, port).map { .text($0) } ?? .null
    }

    private static func time(_ cell: Report.Cell) -> Report.Cell {
        if case .int(let ns) = cell { return .text(formatTimestamp(ns)) }
        return .null
    }
}
