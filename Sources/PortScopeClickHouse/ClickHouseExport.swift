import PortScopeSQLite
import PortScopeStore

#if canImport(Glibc)
import Glibc
#endif

/// What one export did: captures sent, and those skipped as already in ClickHouse or still being
/// written by a live run.
public struct ClickHouseExportResult: Sendable {
    public var exported: [Int64] = []
    public var alreadyThere: [Int64] = []
    public var running: [Int64] = []
    public var rows = 0
}

/// `portscope export --clickhouse`: the captures of a database into ClickHouse. Each capture is
/// brought level with what ClickHouse holds of it (`CaptureSend`), so exporting twice, or again
/// after an export that broke off, never counts anything twice; rows stream from SQLite in
/// batches (bounded memory).
public struct ClickHouseExport: Sendable {
    public let server: ClickHouseServer
    public let database: String
    /// The sensor every capture is sent as; nil: each capture's own (`captures.sensor`), else this host's name.
    public let sensor: String?
    /// Bytes of TabSeparated rows per insert.
    static let batchBytes = 8 << 20

    public init(server: ClickHouseServer, database: String, sensor: String?) {
        self.server = server
        self.database = database
        self.sensor = sensor
    }

    /// The identity of a capture across databases and exports (SQLite expression over `captures`):
    /// a file by its content and filter, anything else (a live run) by its own id.
    static let captureKey = """
        CASE WHEN sha256 IS NOT NULL THEN 'file:' || sha256 || ':' || coalesce(filter, '') ELSE kind || ':' || uid END
        """

    /// Creates the database and tables if missing.
    public func prepare() throws(HTTPError) {
        try server.query("CREATE DATABASE IF NOT EXISTS \(database)")
        for table in ClickHouseTable.all { try server.query(table.create(in: database)) }
    }

    /// One capture of `store` to send: its id, identity and sensor.
    struct Capture {
        var id: Int64
        var key: String
        var sensor: String
        /// Still written by a live run of this host.
        var beingWritten: Bool
    }

    func captures(_ store: borrowing CaptureStore, _ selection: CaptureSelection) throws -> [Capture] {
        try store.query("""
            WITH \(CaptureSelection.selected)
            SELECT id, status, writer, \(Self.captureKey) AS capture_key, coalesce(sensor, :sensor) AS sensor FROM captures
            WHERE id IN selected ORDER BY id
            """, [":captures": selection.parameter, ":sensor": .text(CaptureWriter.hostName)]).map { row in
            let writer = row["writer"] == .null ? nil : row["writer"].text
            return Capture(id: row["id"].int, key: row["capture_key"].text, sensor: sensor ?? row["sensor"].text,
                           beingWritten: row["status"].text == "running" && !(writer.map(CaptureWriter.isGone) ?? true))
        }
    }

    /// Sends the captures `selection` holds, but those a live run is still writing (the run sends
    /// its own with `live --clickhouse`; two senders of one capture would race).
    public func export(_ store: borrowing CaptureStore, captures selection: CaptureSelection) throws -> ClickHouseExportResult {
        try prepare()
        var result = ClickHouseExportResult()
        for capture in try captures(store, selection) {
            guard !capture.beingWritten else { result.running.append(capture.id); continue }
            let outcome = try send(capture, from: store, horizon: nil)
            if outcome.alreadyThere { result.alreadyThere.append(capture.id) } else { result.exported.append(capture.id) }
            result.rows += outcome.rows
        }
        return result
    }

    func send(_ capture: Capture, from store: borrowing CaptureStore, horizon: CaptureSend.Horizon?) throws -> CaptureSend.Outcome {
        try CaptureSend(server: server, database: database, sensor: capture.sensor, key: capture.key, capture: capture.id,
                        horizon: horizon).run(store)
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

/// Nanoseconds since 1970: a capture row's `exported_ns`, the newest of which ClickHouse keeps.
func realtimeNanoseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}
