/// The tables PortScope exports to ClickHouse: each column's name, ClickHouse type, the SQLite
/// expression it is read by and its part in keeping ClickHouse level with SQLite, and the table's
/// engine. Every row leads with its `sensor` and its capture's identity (`capture_key`).
///
/// Nothing sent is ever changed in ClickHouse, so every table's sums stay right however its
/// parts merge: a flow row is sent once, when it is final; the counters are sent as the change
/// since what ClickHouse holds (a live capture's keep growing), so the sum of a key's rows is
/// the SQLite figure.
struct ClickHouseTable: Sendable {
    /// How a column takes part in bringing ClickHouse level with SQLite.
    enum Role: Sendable {
        /// Names the row: a flow's, or a counter's key.
        case key
        /// Sent as the change since ClickHouse's sum.
        case counter
        /// The earliest or latest time of a counter's key: sent as SQLite has it, read back as `min` or `max`.
        case earliest, latest
        /// Sent as it is.
        case value
    }

    struct Column: Sendable {
        var name: String
        var type: String
        var sql: String
        var role: Role
    }

    /// How a table's rows reach ClickHouse.
    enum Kind: Sendable {
        /// One row per capture, its latest state (`ReplacingMergeTree`): read with `FINAL`.
        case snapshot
        /// Rows sent once each, when final, named by their key.
        case once
        /// Counters per key, sent as changes.
        case counters
    }

    var name: String
    /// The SQLite table the rows come from (one capture's, `capture_id = :capture`).
    var source: String
    var kind: Kind
    var columns: [Column]
    var engine: String

    /// `CREATE TABLE IF NOT EXISTS` for it in `database`.
    func create(in database: String) -> String {
        let list = (Self.identity + columns).map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        return "CREATE TABLE IF NOT EXISTS \(database).\(name) (\(list)) ENGINE = \(engine)"
    }

    func columns(_ role: Role) -> [Column] { columns.filter { $0.role == role } }

    /// The leading columns of every table.
    static let identity = [Column(name: "sensor", type: "String", sql: "", role: .key),
                           Column(name: "capture_key", type: "String", sql: "", role: .key)]

    private static func c(_ name: String, _ type: String, _ role: Role = .value, sql: String? = nil) -> Column {
        Column(name: name, type: type, sql: sql ?? name, role: role)
    }

    static let captures = ClickHouseTable(name: "captures", source: "captures", kind: .snapshot, columns: [
        c("capture_id", "Int64", sql: "id"), c("source", "String"), c("kind", "String"), c("format", "String"),
        c("packets", "Int64"), c("bytes", "Int64"), c("flows", "Int64"), c("first_ns", "Nullable(Int64)"),
        c("last_ns", "Nullable(Int64)"), c("status", "String"), c("bucket_ns", "Nullable(Int64)"),
        c("exported_ns", "Int64", sql: ":now"),
    ], engine: "ReplacingMergeTree(exported_ns) ORDER BY (sensor, capture_key)")

    static let flows = ClickHouseTable(name: "flows", source: "flows", kind: .once, columns: [
        c("proto", "String", .key), c("client_addr", "String", .key), c("client_port", "UInt16", .key),
        c("server_addr", "String", .key), c("server_port", "UInt16", .key), c("first_ns", "Int64", .key),
        c("decided_by", "String"), c("last_ns", "Int64"),
        c("packets_c2s", "Int64"), c("bytes_c2s", "Int64"), c("packets_s2c", "Int64"), c("bytes_s2c", "Int64"),
        c("handshake", "UInt8"), c("end_reason", "String"), c("engagement", "Nullable(String)"),
        c("app_proto", "Nullable(String)"), c("app_name", "Nullable(String)"), c("conn_state", "Nullable(String)"),
        c("community_id", "Nullable(String)"), c("ja4", "Nullable(String)"), c("local_process", "Nullable(String)"),
    ], engine: "MergeTree() ORDER BY (proto, server_port, server_addr, first_ns)")

    /// A plain `MergeTree`: a `SummingMergeTree` would keep an arbitrary `last_ns` of the rows it
    /// sums (and ClickHouse 18.16 has no `SimpleAggregateFunction(max)`).
    static let hostServices = ClickHouseTable(name: "host_services", source: "host_services", kind: .counters, columns: [
        c("proto", "String", .key), c("server_addr", "String", .key), c("server_port", "UInt16", .key),
        c("client_addr", "String", .key),
        c("flows", "Int64", .counter), c("handshakes", "Int64", .counter), c("packets_c2s", "Int64", .counter),
        c("bytes_c2s", "Int64", .counter), c("packets_s2c", "Int64", .counter), c("bytes_s2c", "Int64", .counter),
        c("first_ns", "Int64", .earliest), c("last_ns", "Int64", .latest),
    ], engine: "MergeTree() ORDER BY (proto, server_port, server_addr, client_addr, sensor, capture_key)")

    static let timeBuckets = ClickHouseTable(name: "time_buckets", source: "time_buckets", kind: .counters, columns: [
        c("proto", "String", .key), c("server_addr", "String", .key), c("server_port", "UInt16", .key),
        c("start_ns", "Int64", .key),
        c("packets", "Int64", .counter), c("bytes", "Int64", .counter), c("flows", "Int64", .counter),
    ], engine: "SummingMergeTree((packets, bytes, flows)) ORDER BY (proto, server_port, server_addr, start_ns, sensor, capture_key)")

    /// A capture's tables, children before the capture row that says how far its export got.
    static let all = [flows, hostServices, timeBuckets, captures]
}
