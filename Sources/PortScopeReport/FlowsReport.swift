import PortScopeDecode
import PortScopeFlows
import PortScopeSQLite
import PortScopeStore

extension Reports {
    /// The columns of `flows`; a table shows when each began when they are in time order (`byTime`),
    /// else how each ended (`conn_state`).
    static func flowColumns(registry: ServiceRegistry, byTime: Bool = false) -> [ReportColumn<QueryRow>] {
        [
            ReportColumn("capture_id", .number, detail: true, sql: "capture_id"),
            ReportColumn("proto", sql: "proto"),
            ReportColumn("client_addr", header: "CLIENT", sql: "client_addr"),
            ReportColumn("client_port", .number, header: "PORT", sql: "client_port"),
            ReportColumn("server_addr", header: "SERVER", sql: "server_addr"),
            ReportColumn("server_port", .number, header: "PORT", sql: "server_port"),
            ReportColumn("service", detail: true) { row in
                guard let proto = IPProtocol(name: row["proto"].text), proto.hasPorts else { return .null }
                return serviceName(registry, proto, UInt16(clamping: row["server_port"].int))
            },
            ReportColumn("app_proto", sql: "app_proto"),
            ReportColumn("app_name", clip: .name, sql: "app_name"),
            ReportColumn("decided_by", detail: true, sql: "decided_by"),
            ReportColumn("packets", .count, sql: "packets_c2s + packets_s2c"),
            ReportColumn("bytes", .bytes, sql: "bytes_c2s + bytes_s2c"),
            ReportColumn("packets_c2s", .count, detail: true, sql: "packets_c2s"),
            ReportColumn("packets_s2c", .count, detail: true, sql: "packets_s2c"),
            ReportColumn("bytes_c2s", .bytes, detail: true, sql: "bytes_c2s"),
            ReportColumn("bytes_s2c", .bytes, detail: true, sql: "bytes_s2c"),
            ReportColumn("first_seen", .time, detail: !byTime, sql: "first_ns"),
            ReportColumn("last_seen", .time, detail: true, sql: "last_ns"),
            ReportColumn("tcp_flags_c2s", detail: true, sql: "tcp_flags_c2s"),
            ReportColumn("tcp_flags_s2c", detail: true, sql: "tcp_flags_s2c"),
            ReportColumn("handshake", detail: true, sql: "CASE WHEN proto = 'tcp' THEN CASE handshake WHEN 1 THEN 'yes' ELSE 'no' END END"),
            ReportColumn("end", detail: true, sql: "end_reason"),
            ReportColumn("app_confidence", detail: true, sql: "app_confidence"),
            ReportColumn("app_alpn", detail: true, sql: "app_alpn"),
            ReportColumn("conn_state", header: "STATE", detail: byTime, sql: "conn_state"),
            ReportColumn("history", detail: true, sql: "history"),
            ReportColumn("community_id", detail: true, sql: "community_id"),
            ReportColumn("ja4", detail: true, sql: "ja4"),
            // ICMP has no ports: its first packet's type and code say what the flow was.
            ReportColumn("icmp_type", .number, detail: true, sql: "icmp_type"),
            ReportColumn("icmp_code", .number, detail: true, sql: "icmp_code"),
            // The capturing host's process at the flow's local end (`live` on Linux).
            ReportColumn("local_process", detail: true, sql: "local_process"),
            ReportColumn("local_pid", .number, detail: true, sql: "local_pid"),
        ]
    }

    /// Flows, largest first, with each one's server and how it was decided, and what its
    /// payload showed: `app_proto` (`unknown` when nothing was recognised, null when no payload
    /// was seen), `app_name` (TLS SNI or HTTP Host), `app_confidence`, `app_alpn`; and its
    /// `community_id` and `ja4`. `communityID` keeps only the flows with that Community ID;
    /// `ja4` those whose JA4 is that fingerprint or has it as one of its three parts
    /// (`t13d1516h2`, or a 12-digit hash).
    public static func flows(_ store: borrowing CaptureStore, filter: ReportFilter, communityID: String? = nil,
                             ja4: String? = nil, sort: FlowSort = .bytes, registry: ServiceRegistry) throws(StoreError) -> Report {
        let columns = flowColumns(registry: registry, byTime: sort == .time)
        let (condition, parameters) = filter.condition()
        let rows = try store.query("""
            SELECT \(ReportColumn.selectList(columns))
            FROM flows
            WHERE \(condition)
              AND (:community_id IS NULL OR community_id = :community_id)
              AND (:ja4 IS NULL OR ja4 = :ja4 OR substr(ja4, 1, 10) = :ja4 OR substr(ja4, 12, 12) = :ja4
                   OR substr(ja4, 25, 12) = :ja4)
            ORDER BY \(sort == .time ? "first_ns, id" : "bytes DESC, packets DESC, id")
            """, parameters.merging([":community_id": communityID.cell, ":ja4": ja4.cell]) { a, _ in a })
            .filter { filter.admits(client: $0["client_addr"].text, server: $0["server_addr"].text) }
        return Report(columns, rows)
    }
}
