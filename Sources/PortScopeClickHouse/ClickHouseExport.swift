import PortScopeSQLite
import PortScopeStore

/// What one export did: captures sent, and those skipped as already in ClickHouse or still running.
public struct ClickHouseExportResult: Sendable {
    public var exported: [Int64] = []
    public var alreadyThere: [Int64] = []
    public var running: [Int64] = []
    public var rows = 0
}

/// `portscope export --clickhouse`: the captures of a database into ClickHouse as `sensor`.
/// Idempotent per (sensor, capture): a capture whose row is there was sent whole and is skipped;
/// one whose row is not has any rows a broken earlier export left deleted before it is sent again,
/// and its own row is written last. Rows are streamed from SQLite in batches (bounded memory).
public struct ClickHouseExport {
    public let server: ClickHouseServer
    public let database: String
    public let sensor: String
    /// Bytes of TabSeparated rows per insert.
    static let batchBytes = 8 << 20

    public init(server: ClickHouseServer, database: String, sensor: String) {
        self.server = server
        self.database = database
        self.sensor = sensor
    }

    /// The identity of a capture across databases and exports (SQLite expression over `captures`).
    static let captureKey = """
        CASE WHEN sha256 IS NOT NULL THEN 'file:' || sha256 || ':' || coalesce(filter, '')
             ELSE kind || ':' || source || ':' || coalesce(first_ns, '') END
        """

    /// Creates the database and tables if missing.
    public func prepare() throws(HTTPError) {
        try server.query("CREATE DATABASE IF NOT EXISTS \(database)")
        for table in ClickHouseTable.all { try server.query(table.create(in: database)) }
    }

    /// Sends the captures `selection` holds.
    public func export(_ store: borrowing CaptureStore, captures selection: CaptureSelection) throws -> ClickHouseExportResult {
        try prepare()
        var result = ClickHouseExportResult()
        let captures = try store.query("""
            WITH \(CaptureSelection.selected)
            SELECT id, status, \(Self.captureKey) AS capture_key, coalesce(sensor, :sensor) AS sensor FROM captures
            WHERE id IN selected ORDER BY id
            """, [":captures": selection.parameter, ":sensor": .text(sensor)])
        for capture in captures {
            let id = capture["id"].int, key = capture["capture_key"].text
            // A capture's own sensor (kept through merges) wins over this machine's name.
            let sensor = capture["sensor"].text
            guard capture["status"].text != "running" else { result.running.append(id); continue }
            let filter = "sensor = \(Self.quoted(sensor)) AND capture_key = \(Self.quoted(key))"
            let present = try server.query("SELECT count() FROM \(database).captures WHERE \(filter)")
            if (Int(present.trimmingCharacters(in: "\n")) ?? 0) > 0 { result.alreadyThere.append(id); continue }
            for table in ClickHouseTable.all where table.name != "captures" {
                try server.query("ALTER TABLE \(database).\(table.name) DELETE WHERE \(filter)")
            }
            for table in ClickHouseTable.all {
                result.rows += try send(table, capture: id, sensor: sensor, key: key, from: store)
            }
            result.exported.append(id)
        }
        return result
    }

    /// Streams one capture's rows of `table`; how many were sent.
    private func send(_ table: ClickHouseTable, capture: Int64, sensor: String, key: String,
                      from store: borrowing CaptureStore) throws -> Int {
        let select = table.columns.map { "\($0.sql) AS \($0.name)" }.joined(separator: ", ")
        let condition = table.source == "captures" ? "id = :capture" : "capture_id = :capture"
        let prefix = Self.field(.text(sensor)) + "\t" + Self.field(.text(key))
        var batch: [UInt8] = [], count = 0, failure: Error?
        let names = ClickHouseTable.identity.map(\.name) + table.columns.map(\.name)
        try store.forEachRow("SELECT \(select) FROM \(table.source) WHERE \(condition)", [":capture": .int(capture)]) { row in
            guard failure == nil else { return }
            let line = prefix + table.columns.map { "\t" + Self.field(row[$0.name]) }.joined() + "\n"
            batch += Array(line.utf8)
            count += 1
            if batch.count >= Self.batchBytes {
                do { try server.insert("\(database).\(table.name)", columns: names, rows: batch) } catch { failure = error }
                batch.removeAll(keepingCapacity: true)
            }
        }
        if let failure { throw failure }
        if !batch.isEmpty { try server.insert("\(database).\(table.name)", columns: names, rows: batch) }
        return count
    }

    /// A value as TabSeparated writes it: `\N` for null; backslash, tab and newline escaped.
    static func field(_ value: Statement.Value) -> String {
        switch value {
        case .null: return "\\N"
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .text(let text):
            var out = ""
            for character in text {
                switch character {
                case "\\": out += "\\\\"
                case "\t": out += "\\t"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                default: out.append(character)
                }
            }
            return out
        }
    }

    /// A string literal for ClickHouse's SQL.
    static func quoted(_ text: String) -> String {
        "'" + text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var text = Substring(self)
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
