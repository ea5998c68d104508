import CSQLite
import PortScopeDecode
import PortScopeFlows

#if canImport(Glibc)
import Glibc
#endif

/// Why the store could not do what was asked.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case sqlite(path: String, SQLiteError)
    /// The database was written by a newer PortScope.
    case newerSchema(path: String, version: Int, supported: Int)
    /// The file is not a PortScope database (or not SQLite at all).
    case notAPortScopeDatabase(path: String, reason: String)

    public var description: String {
        switch self {
        case .sqlite(let path, let error):
            switch error.result {
            case .notADatabase: "\(path): not a PortScope database (file is not SQLite)"
            case .readOnly, .cantOpen: "\(path): cannot write the database: \(error.message)"
            default: "\(path): \(error.message)"
            }
        case .newerSchema(let path, let version, let supported):
            "\(path): database schema version \(version) is newer than this PortScope understands (\(supported)); upgrade PortScope"
        case .notAPortScopeDatabase(let path, let reason): "\(path): not a PortScope database: \(reason)"
        }
    }
}

/// The PortScope database: opening, migrating, and writing captures with their flows and
/// aggregates. Reports read it through `ReportQueries`.
public struct CaptureStore: ~Copyable {
    public let path: String
    let db: Database

    /// The version of PortScope stored with each capture.
    public static let toolVersion = "0.1.0"

    /// Opens or creates the database at `path` for writing: WAL mode (reports can read while a
    /// capture is written), foreign keys on, migrations applied.
    public init(path: String) throws(StoreError) {
        let database = try CaptureStore.open(path, readOnly: false)
        do {
            try database.execute("PRAGMA foreign_keys = ON")
            try database.execute("PRAGMA journal_mode = WAL")
            try database.execute("PRAGMA synchronous = NORMAL")
            // A capture is written in one transaction; pages that spill from a small cache are
            // written to the WAL and read back over and over. 64 MiB keeps big captures in memory.
            try database.execute("PRAGMA cache_size = -65536")
        } catch {
            throw .sqlite(path: path, error)
        }
        try CaptureStore.migrate(database, path: path)
        self.path = path
        db = database
    }

    /// Opens an existing database for reading only.
    public init(readingFrom path: String) throws(StoreError) {
        guard access(path, F_OK) == 0 else {
            throw .notAPortScopeDatabase(path: path, reason: "no such file (run 'portscope analyze' first)")
        }
        let database = try CaptureStore.open(path, readOnly: true)
        let version: Int
        do { version = try database.userVersion() } catch { throw .sqlite(path: path, error) }
        guard version > 0 else { throw .notAPortScopeDatabase(path: path, reason: "no PortScope schema") }
        guard version <= Schema.migrations.count else {
            throw .newerSchema(path: path, version: version, supported: Schema.migrations.count)
        }
        self.path = path
        db = database
    }

    private static func open(_ path: String, readOnly: Bool) throws(StoreError) -> Database {
        do { return try Database(path: path, readOnly: readOnly) } catch { throw .sqlite(path: path, error) }
    }

    private static func migrate(_ db: borrowing Database, path: String) throws(StoreError) {
        do {
            let version = try db.userVersion()
            guard version <= Schema.migrations.count else {
                throw StoreError.newerSchema(path: path, version: version, supported: Schema.migrations.count)
            }
            if version == 0 {
                // A file that has tables but no version is someone else's database: leave it alone.
                var tables = try db.prepare("SELECT count(*) FROM sqlite_master")
                if try tables.step(), tables.int(0) > 0 {
                    throw StoreError.notAPortScopeDatabase(path: path, reason: "it holds other tables")
                }
            }
            for target in version..<Schema.migrations.count {
                try db.transaction { () throws(SQLiteError) in
                    try db.execute(Schema.migrations[target])
                    try db.execute("PRAGMA user_version = \(target + 1)")
                }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as SQLiteError {
            throw .sqlite(path: path, error)
        } catch let error as TransactionError<SQLiteError> {
            switch error {
            case .database(let e), .body(let e): throw .sqlite(path: path, e)
            }
        } catch {
            throw .notAPortScopeDatabase(path: path, reason: "\(error)")
        }
    }

    /// The id of a capture already stored with this SHA-256, if any.
    public func capture(withSHA256 sha256: String) throws(StoreError) -> Int64? {
        do {
            var statement = try db.prepare("SELECT id FROM captures WHERE sha256 = ? ORDER BY id LIMIT 1")
            try statement.bind([.text(sha256)])
            return try statement.step() ? statement.int(0) : nil
        } catch {
            throw .sqlite(path: path, error)
        }
    }

    /// Writes a capture and every flow that changed since the last flush, in one transaction:
    /// - the capture row: created when `capture` is nil (after deleting `replacing`, if given),
    ///   then set from `summary`, with its anomalies;
    /// - new flows, and flows with new packets, updated in place.
    ///
    /// `scope` `.ended` writes only the flows that ended (an eviction during `analyze`: the open
    /// ones wait for the last flush). With `summary.flowRows` false only the aggregates are
    /// written, so each flow must be written once: by its capture's only flush, by a flush of
    /// ended flows, or by the last one.
    ///
    /// Each flow's service side is decided from the fan-in `inference` has learned (it learns
    /// the flows it has not seen first, once each). Flows still in memory are decided again at
    /// every flush, since fan-in learned later may outweigh the weaker evidence a flow was first
    /// written with; a flow's side is final once it has ended and been stored. The aggregates
    /// follow from the flow rows by `HostServiceSums` (new rows) and trigger (updated rows).
    /// Only after the commit does each written flow remember its row: if the flush fails,
    /// nothing in the database changes, nor in `flows` but what fan-in they taught, and a later
    /// flush writes the same flows again.
    public func flush(_ summary: CaptureSummary, capture: Int64?, replacing: Int64? = nil,
                      flows: UnsafeMutableBufferPointer<FlowRecord>, names: borrowing FlowNames,
                      scope: FlushScope = .all, inference: inout ServiceSideInference) throws(StoreError) -> FlushResult {
        // Each flow teaches fan-in once: evictions flush many times while the open flows wait.
        for index in flows.indices where !flows[index].fanInLearned {
            inference.learn(flows[index])
            flows[index].fanInLearned = true
        }
        var plan: [FlowWrite] = []
        for index in flows.indices where scope == .all || flows[index].end != .open {
            let side = inference.decide(flows[index])
            if flows[index].needsWrite || side != flows[index].row?.side { plan.append(FlowWrite(index: index, side: side)) }
        }
        let newFlows = plan.count { flows[$0.index].row == nil }
        let (id, newIDs) = try inTransaction { () throws(SQLiteError) -> (Int64, [Int64?]) in
            if let replacing {
                var delete = try db.prepare("DELETE FROM captures WHERE id = ?")
                try delete.run([.int(replacing)])
            }
            var id = capture ?? 0
            if capture == nil { id = try insertCapture(summary) }
            let newIDs = try writeFlows(plan, of: flows, names: names, capture: id, rows: summary.flowRows)
            try updateCapture(id, summary, newFlows: newFlows)
            return (id, newIDs)
        }
        // Flows without rows are never written again (one flush), so they remember none.
        if summary.flowRows {
            for (write, newID) in zip(plan, newIDs) {
                let flow = flows[write.index]
                flows[write.index].row = FlowRow(id: newID ?? flow.row!.id, packets: flow.packets, side: write.side)
            }
        }
        return FlushResult(captureID: id, newFlows: newFlows)
    }

    /// Which flows a flush writes.
    public enum FlushScope: Sendable {
        /// Every flow that is new or changed.
        case all
        /// Only the flows that ended.
        case ended
    }

    /// What a flush stored: the capture's id (new when the flush created it) and how many flow
    /// rows it added.
    public struct FlushResult: Sendable {
        public var captureID: Int64
        public var newFlows: Int
    }

    /// Opens a transaction that spans several flushes (each then a savepoint inside it), so a
    /// capture written in parts is still committed, or not, as a whole: `commit()` or `rollback()`.
    public func begin() throws(StoreError) {
        do { try db.execute("BEGIN IMMEDIATE") } catch { throw .sqlite(path: path, error) }
    }

    /// Commits the transaction `begin()` opened.
    public func commit() throws(StoreError) {
        do { try db.execute("COMMIT") } catch {
            rollback()
            throw .sqlite(path: path, error)
        }
    }

    /// Undoes the transaction `begin()` opened, if it is still open.
    public func rollback() {
        if db.isInTransaction { try? db.execute("ROLLBACK") }
    }

    private func inTransaction<R>(_ body: () throws(SQLiteError) -> R) throws(StoreError) -> R {
        do throws(TransactionError<SQLiteError>) {
            return try db.transaction(body)
        } catch {
            switch error {
            case .database(let e), .body(let e): throw .sqlite(path: path, e)
            }
        }
    }

    private func insertCapture(_ s: CaptureSummary) throws(SQLiteError) -> Int64 {
        var insert = try db.prepare("""
            INSERT INTO captures (source, kind, format, link_types, packets, bytes, captured_bytes, flows, status,
                tool_version, analyzed_at, writer)
            VALUES (?, ?, ?, '', 0, 0, 0, 0, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?)
            """)
        try insert.run([.text(s.source), .text(s.kind), .text(s.format), .text(s.status), .text(CaptureStore.toolVersion),
                        s.writer.map { .text($0) } ?? .null])
        return sqlite3_last_insert_rowid(db.handle)
    }

    private func updateCapture(_ id: Int64, _ s: CaptureSummary, newFlows: Int) throws(SQLiteError) {
        var update = try db.prepare("""
            UPDATE captures SET size = ?, sha256 = ?, link_types = ?, filter = ?, first_ns = ?, last_ns = ?,
                packets = ?, bytes = ?, captured_bytes = ?, flows = flows + ?, status = ?, damage = ?,
                received = ?, dropped_kernel = ?, dropped_interface = ?, flow_rows = ?
            WHERE id = ?
            """)
        func optional(_ v: Int64?) -> Statement.Value { v.map { .int($0) } ?? .null }
        func optional(_ v: UInt64?) -> Statement.Value { v.map { .int(Int64(clamping: $0)) } ?? .null }
        func optional(_ v: String?) -> Statement.Value { v.map { .text($0) } ?? .null }
        try update.run([
            optional(s.size), optional(s.sha256), .text(s.linkTypes.joined(separator: ",")), optional(s.filter),
            optional(s.firstTime), optional(s.lastTime), .int(Int64(s.packets)), .int(Int64(s.bytes)),
            .int(Int64(s.capturedBytes)), .int(Int64(newFlows)), .text(s.status), optional(s.damage),
            optional(s.received), optional(s.droppedByKernel), optional(s.droppedByInterface), .int(s.flowRows ? 1 : 0),
            .int(id),
        ])
        var clear = try db.prepare("DELETE FROM capture_anomalies WHERE capture_id = ?")
        try clear.run([.int(id)])
        var anomaly = try db.prepare("INSERT INTO capture_anomalies (capture_id, reason, packets) VALUES (?, ?, ?)")
        for (reason, packets) in s.anomalies where packets > 0 {
            try anomaly.run([.int(id), .text(reason), .int(Int64(packets))])
        }
    }

    /// A flow a flush writes, and the service side it is written with.
    private struct FlowWrite {
        var index: Int
        var side: ServiceSide
    }

    /// Inserts (when `rows`) or updates each planned flow, in order, then adds the new ones to
    /// host_services. Returns each one's new row id; nil when its existing row was updated or
    /// it got no row.
    private func writeFlows(_ plan: [FlowWrite], of flows: UnsafeMutableBufferPointer<FlowRecord>,
                            names: borrowing FlowNames, capture: Int64, rows: Bool) throws(SQLiteError) -> [Int64?] {
        let columns = """
            client_addr, client_port, server_addr, server_port, decided_by, first_ns, last_ns, packets_c2s, bytes_c2s,
            packets_s2c, bytes_s2c, fragment_packets, tcp_flags_c2s, tcp_flags_s2c, handshake, end_reason, icmp_type, icmp_code,
            opened_by, app_proto, app_confidence, app_name, app_alpn
            """
        let columnCount: Int32 = 23
        let parameters = Array(repeating: "?", count: Int(columnCount)).joined(separator: ", ")
        var insert = try db.prepare("INSERT INTO flows (\(columns), capture_id, proto) VALUES (\(parameters), ?, ?)")
        var update = try db.prepare("UPDATE flows SET (\(columns)) = (\(parameters)) WHERE id = ?")
        var sums = HostServiceSums()
        var newIDs: [Int64?] = []
        newIDs.reserveCapacity(plan.count)
        for write in plan {
            let flow = flows[write.index], side = write.side
            if let row = flow.row {
                update.reset()
                try bindColumns(flow, side: side, names: names, to: &update)
                try update.bind(.int(row.id), at: columnCount + 1)
                try update.run()
                newIDs.append(nil)
            } else if !rows {
                sums.add(flow, side: side)
                newIDs.append(nil)
            } else {
                insert.reset()
                try bindColumns(flow, side: side, names: names, to: &insert)
                try insert.bind(.int(capture), at: columnCount + 1)
                try insert.bind(.text(flow.key.proto.name), at: columnCount + 2)
                try insert.run()
                newIDs.append(sqlite3_last_insert_rowid(db.handle))
                sums.add(flow, side: side)
            }
        }
        try sums.write(to: db, capture: capture)
        return newIDs
    }

    /// Binds `flow` as written with `side` to parameters 1…23, in the order of `writeFlows`' columns.
    private func bindColumns(_ flow: FlowRecord, side: ServiceSide, names: borrowing FlowNames,
                             to statement: inout Statement) throws(SQLiteError) {
        let c = flow.counters(side.client), s = flow.counters(side.server)
        let isTCP = flow.key.proto == .tcp, isICMP = flow.key.proto == .icmp || flow.key.proto == .icmpv6
        try flow.key.address(side.client).withText { text throws(SQLiteError) in try statement.bind(utf8: text, at: 1) }
        try statement.bind(.int(Int64(flow.key.port(side.client))), at: 2)
        try flow.key.address(side.server).withText { text throws(SQLiteError) in try statement.bind(utf8: text, at: 3) }
        try statement.bind(.int(Int64(flow.key.port(side.server))), at: 4)
        try statement.bind(.text(side.decidedBy.rawValue), at: 5)
        try statement.bind(.int(flow.firstTime), at: 6)
        try statement.bind(.int(flow.lastTime), at: 7)
        try statement.bind(.int(Int64(c.packets)), at: 8)
        try statement.bind(.int(Int64(c.bytes)), at: 9)
        try statement.bind(.int(Int64(s.packets)), at: 10)
        try statement.bind(.int(Int64(s.bytes)), at: 11)
        try statement.bind(.int(Int64(flow.fragmentPackets)), at: 12)
        try statement.bind(isTCP ? .text(c.tcpFlags.letters) : .null, at: 13)
        try statement.bind(isTCP ? .text(s.tcpFlags.letters) : .null, at: 14)
        try statement.bind(.int(flow.handshakeCompleted ? 1 : 0), at: 15)
        try statement.bind(.text(flow.end.name), at: 16)
        try statement.bind(isICMP ? .int(Int64(flow.icmpType)) : .null, at: 17)
        try statement.bind(isICMP ? .int(Int64(flow.icmpCode)) : .null, at: 18)
        try statement.bind(.text(flow.firstSender == side.client ? "client" : "server"), at: 19)
        let app = flow.app
        try statement.bind(app.storedName.map { .text($0) } ?? .null, at: 20)
        try statement.bind(app.proto != .none ? .text(app.confidence.name) : .null, at: 21)
        try bind(app.name, at: 22)
        try bind(app.alpn, at: 23)
        func bind(_ name: NameRef?, at column: Int32) throws(SQLiteError) {
            guard let name else { return try statement.bind(.null, at: column) }
            try names.withBytes(of: name) { text throws(SQLiteError) in try statement.bind(utf8: text, at: column) }
        }
    }
}

extension FlowEnd {
    var name: String {
        switch self {
        case .open: "open"
        case .idle: "idle"
        case .reused: "reused"
        case .evicted: "evicted"
        }
    }
}

extension CaptureStore {
    /// Runs a read query and returns every row (columns as SQLite typed them).
    public func rows(_ sql: String, _ bindings: [Statement.Value] = []) throws(StoreError) -> [[Statement.Value]] {
        do {
            var statement = try db.prepare(sql)
            try statement.bind(bindings)
            var result: [[Statement.Value]] = []
            let columns = statement.columnCount
            while try statement.step() {
                result.append((0..<columns).map { column in
                    switch sqlite3_column_type(statement.handle, column) {
                    case SQLITE_INTEGER: .int(statement.int(column))
                    case SQLITE_FLOAT: .double(statement.double(column))
                    case SQLITE_NULL: .null
                    default: .text(statement.text(column))
                    }
                })
            }
            return result
        } catch {
            throw .sqlite(path: path, error)
        }
    }
}
