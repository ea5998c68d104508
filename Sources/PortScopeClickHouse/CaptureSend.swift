import PortScopeSQLite
import PortScopeStore

/// One capture brought level with ClickHouse, whatever an earlier send left there: flows
/// ClickHouse lacks are sent (a flow once it is final: the capture is over or the flow ended),
/// each counter key gets the difference between SQLite's figure and ClickHouse's sum, and the
/// capture row goes last. A send cut off anywhere (the server went away, the process died)
/// leaves ClickHouse with part of the rows, and the next send completes them without counting
/// anything twice: it compares, it does not remember.
///
/// The capture's rows are read in one read transaction, so a live run's flushes in the meantime
/// are the next send's.
struct CaptureSend {
    let server: ClickHouseServer
    let database: String
    let sensor: String
    /// The capture's identity across databases (`ClickHouseExport.captureKey`).
    let key: String
    let capture: Int64
    /// What a running capture's earlier send found open: only flows and counter keys that can have
    /// changed since are compared. Nil compares everything.
    let horizon: Horizon?

    /// What a send of a running capture learns for the next: rows whose times are all before
    /// `time` were final when it read them, and so were sent by it.
    struct Horizon: Sendable {
        var time: Int64
    }

    /// What one send did.
    struct Outcome {
        /// Rows sent (0 when ClickHouse had the capture as it is here).
        var rows = 0
        /// Whether ClickHouse already had the capture, complete, as it is here.
        var alreadyThere = false
        /// For the next send of a capture still running; nil once it is over.
        var next: Horizon?
    }

    /// Packet times of a live capture may lag its flushes a little (timestamps taken by the
    /// kernel, flows written a flush later when one failed): the horizon keeps this much back.
    static let horizonMargin: Int64 = 60_000_000_000
    /// Above this many service ports to compare, a send compares every counter key instead.
    static let portListLimit = 5_000

    func run(_ store: borrowing CaptureStore) throws -> Outcome {
        try store.beginReading()
        defer { store.rollback() }
        let at = [":capture": Statement.Value.int(capture)]
        guard let local = try store.query("""
            SELECT status, packets, flows, coalesce(last_ns, -1) AS last_ns,
                   (SELECT min(last_ns) FROM flows WHERE capture_id = :capture AND end_reason = 'open') AS open_since
            FROM captures WHERE id = :capture
            """, at).first else { return Outcome() }
        let running = local["status"].text == "running"
        var outcome = Outcome()
        if running {
            let since = local["open_since"] == .null ? local["last_ns"].int : local["open_since"].int
            outcome.next = Horizon(time: since - Self.horizonMargin)
        }
        let identity = "sensor = \(ClickHouseExport.quoted(sensor)) AND capture_key = \(ClickHouseExport.quoted(key))"
        let there = try server.query("""
            SELECT status, packets, flows, ifNull(last_ns, -1) FROM \(database).captures FINAL WHERE \(identity)
            ORDER BY exported_ns DESC LIMIT 1
            """)
        if !running, there == [local["status"].text, String(local["packets"].int), String(local["flows"].int),
                               String(local["last_ns"].int)].joined(separator: "\t") + "\n" {
            outcome.alreadyThere = true
            return outcome
        }
        var ports: [Int64]?
        if let horizon { ports = try changedPorts(store, since: horizon.time) }
        var batch = RowBatch(server: server)
        for table in ClickHouseTable.all {
            batch.start("\(database).\(table.name)", columns: (ClickHouseTable.identity + table.columns).map(\.name))
            switch table.kind {
            case .once: try sendMissing(table, running: running, identity: identity, from: store, into: &batch)
            case .counters: try sendDifferences(table, ports: ports, identity: identity, from: store, into: &batch)
            case .snapshot: try sendRows(table, from: store, into: &batch)
            }
            try batch.finish()
        }
        outcome.rows = batch.sent
        return outcome
    }

    /// Each row's leading fields: its sensor and capture (escaped once per table, not per row).
    private var prefix: String { ClickHouseExport.field(.text(sensor)) + "\t" + ClickHouseExport.field(.text(key)) }

    private func select(_ columns: [ClickHouseTable.Column]) -> String {
        columns.map { "\($0.sql) AS \($0.name)" }.joined(separator: ", ")
    }

    /// The capture row, as it is now.
    private func sendRows(_ table: ClickHouseTable, from store: borrowing CaptureStore, into batch: inout RowBatch) throws {
        let rows = try store.query("SELECT \(select(table.columns)) FROM captures WHERE id = :capture",
                                   [":capture": .int(capture), ":now": .int(realtimeNanoseconds())])
        for row in rows {
            try batch.add(prefix + table.columns.map { "\t" + ClickHouseExport.field(row[$0.name]) }.joined())
        }
    }

    /// The final rows of `table` ClickHouse does not have, by their key.
    private func sendMissing(_ table: ClickHouseTable, running: Bool, identity: String,
                             from store: borrowing CaptureStore, into batch: inout RowBatch) throws {
        let keys = table.columns(.key), prefix = self.prefix
        let recent = horizon.map { " AND last_ns >= \($0.time)" } ?? ""
        let present = Set(try server.query("""
            SELECT \(keys.map(\.name).joined(separator: ", ")) FROM \(database).\(table.name) WHERE \(identity)\(recent)
            """).split(separator: "\n", omittingEmptySubsequences: true))
        let final = running ? " AND end_reason <> 'open'" : ""
        var failure: Error?
        try store.forEachRow("SELECT \(select(table.columns)) FROM \(table.source) WHERE capture_id = :capture\(final)\(recent)",
                             [":capture": .int(capture)]) { row in
            guard failure == nil else { return }
            let key = keys.map { ClickHouseExport.field(row[$0.name]) }.joined(separator: "\t")
            guard !present.contains(Substring(key)) else { return }
            do { try batch.add(prefix + table.columns.map { "\t" + ClickHouseExport.field(row[$0.name]) }.joined()) } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// For each key of `table` (of `ports` only, when given), SQLite's figures less ClickHouse's sums.
    private func sendDifferences(_ table: ClickHouseTable, ports: [Int64]?, identity: String,
                                 from store: borrowing CaptureStore, into batch: inout RowBatch) throws {
        let keys = table.columns(.key), counters = table.columns(.counter), prefix = self.prefix
        let extents = table.columns.filter { $0.role == .earliest || $0.role == .latest }
        let portCondition = ports.map { " AND server_port IN (\($0.isEmpty ? "-1" : $0.map(String.init).joined(separator: ",")))" } ?? ""
        let sums = counters.map { "sum(\($0.name))" } + extents.map { "\($0.role == .earliest ? "min" : "max")(\($0.name))" }
        let keyNames = keys.map(\.name).joined(separator: ", ")
        // ClickHouse's figures per key: the key's fields (as TabSeparated writes them) → the sums.
        var there: [Substring: [Int64]] = [:]
        for line in try server.query("""
            SELECT \(keyNames), \(sums.joined(separator: ", ")) FROM \(database).\(table.name)
            WHERE \(identity)\(portCondition) GROUP BY \(keyNames)
            """).split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == keys.count + sums.count else { throw HTTPError.malformed }
            there[fields[..<keys.count].joined(separator: "\t")[...]] = fields[keys.count...].map { Int64($0) ?? 0 }
        }
        /// A row of `key` with `changes` of the counters and `extents` as given.
        func row(_ key: Substring, changes: [Int64], extents values: [String]) -> String {
            var fields = key.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)[...]
            var changes = changes[...], values = values[...]
            return prefix + table.columns.map { column in
                switch column.role {
                case .key: "\t" + (fields.popFirst() ?? "")
                case .counter: "\t" + String(changes.popFirst() ?? 0)
                case .earliest, .latest, .value: "\t" + (values.popFirst() ?? "\\N")
                }
            }.joined()
        }
        var failure: Error?
        try store.forEachRow("SELECT \(select(table.columns)) FROM \(table.source) WHERE capture_id = :capture\(portCondition)",
                             [":capture": .int(capture)]) { local in
            guard failure == nil else { return }
            let key = keys.map { ClickHouseExport.field(local[$0.name]) }.joined(separator: "\t")[...]
            let sent = there.removeValue(forKey: key) ?? []
            let changes = counters.enumerated().map { local[$0.element.name].int - (sent.indices.contains($0.offset) ? sent[$0.offset] : 0) }
            guard changes.contains(where: { $0 != 0 }) else { return }
            do { try batch.add(row(key, changes: changes, extents: extents.map { ClickHouseExport.field(local[$0.name]) })) } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        // Keys ClickHouse has and SQLite no longer does (a live flow decided to the other side): taken back.
        for (key, sent) in there where sent.prefix(counters.count).contains(where: { $0 != 0 }) {
            try batch.add(row(key, changes: sent.prefix(counters.count).map { -$0 }, extents: sent.dropFirst(counters.count).map(String.init)))
        }
    }

    /// The service ports of what can have changed since `time`: flows seen since (either port, as a
    /// flow decided to the other side leaves the key of its old one) and host services seen since.
    /// Nil when there are too many to name.
    private func changedPorts(_ store: borrowing CaptureStore, since time: Int64) throws -> [Int64]? {
        let rows = try store.query("""
            SELECT server_port AS port FROM flows WHERE capture_id = :capture AND last_ns >= :since
            UNION SELECT client_port FROM flows WHERE capture_id = :capture AND last_ns >= :since
            UNION SELECT server_port FROM host_services WHERE capture_id = :capture AND last_ns >= :since
            LIMIT \(Self.portListLimit + 1)
            """, [":capture": .int(capture), ":since": .int(time)])
        return rows.count > Self.portListLimit ? nil : rows.map { $0["port"].int }
    }
}

/// TabSeparated rows for one table at a time, sent whenever they reach `ClickHouseExport.batchBytes`.
struct RowBatch {
    let server: ClickHouseServer
    private var table = "", columns: [String] = [], bytes: [UInt8] = []
    /// Rows sent so far, over every table.
    private(set) var sent = 0
    private var pending = 0

    init(server: ClickHouseServer) {
        self.server = server
    }

    mutating func start(_ table: String, columns: [String]) {
        self.table = table
        self.columns = columns
    }

    mutating func add(_ line: String) throws(HTTPError) {
        bytes += line.utf8
        bytes.append(UInt8(ascii: "\n"))
        pending += 1
        if bytes.count >= ClickHouseExport.batchBytes { try finish() }
    }

    /// Sends what is waiting.
    mutating func finish() throws(HTTPError) {
        guard pending > 0 else { return }
        try server.insert(table, columns: columns, rows: bytes)
        sent += pending
        pending = 0
        bytes.removeAll(keepingCapacity: true)
    }
}
