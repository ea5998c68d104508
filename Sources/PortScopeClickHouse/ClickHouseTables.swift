/// The tables PortScope exports to ClickHouse: each column's name, ClickHouse type and the
/// SQLite expression it is read by, and the table's engine. Every row leads with its `sensor`
/// and its capture's identity (`capture_key`); the counters sit in `SummingMergeTree` tables
/// summing exactly them, so their sums stay right however ClickHouse merges parts.
struct ClickHouseTable: Sendable {
    struct Column: Sendable {
        var name: String
        var type: String
        var sql: String
    }

    var name: String
    /// The SQLite table the rows come from (one capture's, `capture_id = :capture`).
    var source: String
    var columns: [Column]
    var engine: String

    /// `CREATE TABLE IF NOT EXISTS` for it in `database`.
    func create(in database: String) -> String {
        let list = (Self.identity + columns).map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        return "CREATE TABLE IF NOT EXISTS \(database).\(name) (\(list)) ENGINE = \(engine)"
    }

    /// The leading columns of every table.
    static let identity = [Column(name: "sensor", type: "String", sql: ""), Column(name: "capture_key", type: "String", sql: "")]

    static func c(_ name: String, _ type: String, _ sql: String? = nil) -> Column { Column(name: name, type: type, sql: sql ?? name) }

    static let captures = ClickHouseTable(name: "captures", source: "captures", columns: [
        c("capture_id", "Int64", "id"), c("source", "String"), c("kind", "String"), c("format", "String"),
        c("packets", "Int64"), c("bytes", "Int64"), c("flows", "Int64"), c("first_ns", "Nullable(Int64)"),
        c("last_ns", "Nullable(Int64)"), c("status", "String"), c("bucket_ns", "Nullable(Int64)"),
        c("exported_ns", "Int64", "CAST(strftime('%s', 'now') AS INTEGER) * 1000000000"),
    ], engine: "ReplacingMergeTree(exported_ns) ORDER BY (sensor, capture_key)")

    static let flows = ClickHouseTable(name: "flows", source: "flows", columns: [
        c("proto", "String"), c("client_addr", "String"), c("client_port", "UInt16"), c("server_addr", "String"),
        c("server_port", "UInt16"), c("decided_by", "String"), c("first_ns", "Int64"), c("last_ns", "Int64"),
        c("packets_c2s", "Int64"), c("bytes_c2s", "Int64"), c("packets_s2c", "Int64"), c("bytes_s2c", "Int64"),
        c("handshake", "UInt8"), c("end_reason", "String"), c("engagement", "Nullable(String)"),
        c("app_proto", "Nullable(String)"), c("app_name", "Nullable(String)"), c("conn_state", "Nullable(String)"),
        c("community_id", "Nullable(String)"), c("ja4", "Nullable(String)"), c("local_process", "Nullable(String)"),
    ], engine: "MergeTree() ORDER BY (proto, server_port, server_addr, first_ns)")

    static let hostServices = ClickHouseTable(name: "host_services", source: "host_services", columns: [
        c("proto", "String"), c("server_addr", "String"), c("server_port", "UInt16"), c("client_addr", "String"),
        c("flows", "Int64"), c("handshakes", "Int64"), c("packets_c2s", "Int64"), c("bytes_c2s", "Int64"),
        c("packets_s2c", "Int64"), c("bytes_s2c", "Int64"), c("first_ns", "Int64"), c("last_ns", "Int64"),
    ], engine: "SummingMergeTree((flows, handshakes, packets_c2s, bytes_c2s, packets_s2c, bytes_s2c)) "
        + "ORDER BY (sensor, capture_key, proto, server_port, server_addr, client_addr)")

    static let timeBuckets = ClickHouseTable(name: "time_buckets", source: "time_buckets", columns: [
        c("proto", "String"), c("server_addr", "String"), c("server_port", "UInt16"), c("start_ns", "Int64"),
        c("packets", "Int64"), c("bytes", "Int64"), c("flows", "Int64"),
    ], engine: "SummingMergeTree((packets, bytes, flows)) ORDER BY (sensor, capture_key, proto, server_port, server_addr, start_ns)")

    /// The rows of a capture, children before the capture row that marks the export complete.
    static let all = [flows, hostServices, timeBuckets, captures]
}
