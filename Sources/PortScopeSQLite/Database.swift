import CSQLite

/// An open SQLite connection. Owns its handle and closes it on deinit.
/// The corresponding C type is `sqlite3`.
public struct Database: ~Copyable {
    private let handle: OpaquePointer

    /// Opens (and, unless `readOnly`, creates) the database file at `path`.
    public init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        _ = Self.processConfiguration
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(db)
            throw SQLiteError(result: SQLiteResult(rawValue: code), message: "\(message): \(path)")
        }
        guard portscope_feed_register(db) == SQLITE_OK else {
            sqlite3_close_v2(db)
            throw SQLiteError(result: .error, message: "cannot register portscope_feed: \(path)")
        }
        handle = db
        sqlite3_busy_timeout(db, 10_000)
        sqlite3_extended_result_codes(db, 0)
    }

    deinit { sqlite3_close_v2(handle) }

    /// SQLite's process-wide settings, applied once before the first connection opens.
    private static let processConfiguration: Int32 = portscope_sqlite_disable_memory_statistics()

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        try check(sqlite3_exec(handle, sql, nil, nil, nil), handle)
    }

    /// Compiles one statement.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var statement: OpaquePointer?
        try check(sqlite3_prepare_v2(handle, sql, -1, &statement, nil), handle)
        guard let statement else { throw SQLiteError(result: .ok, message: "empty statement: \(sql)") }
        return Statement(handle: statement, connection: handle)
    }

    /// Runs `body` in one transaction (`BEGIN IMMEDIATE`): committed if it returns, rolled
    /// back if it throws, so a failure leaves the database as it was. Inside a transaction
    /// already open (`begin()`), a savepoint: undone alone if `body` throws, and made durable
    /// only by the outer commit.
    public func transaction<R, E: Error>(_ body: () throws(E) -> R) throws(TransactionError<E>) -> R {
        let nested = isInTransaction
        do { try execute(nested ? "SAVEPOINT nested" : "BEGIN IMMEDIATE") } catch { throw .database(error) }
        let undo = nested ? "ROLLBACK TO nested; RELEASE nested" : "ROLLBACK"
        let result: R
        do {
            result = try body()
        } catch {
            try? execute(undo)
            throw .body(error)
        }
        do { try execute(nested ? "RELEASE nested" : "COMMIT") } catch {
            try? execute(undo)
            throw .database(error)
        }
        return result
    }

    /// Runs a read query with `bindings` (named parameters, `:name`) and returns every row.
    public func query(_ sql: String, _ bindings: [String: Statement.Value] = [:]) throws(SQLiteError) -> [QueryRow] {
        var statement = try prepare(sql)
        try statement.bind(named: bindings)
        return try statement.rows()
    }

    /// Runs a read query with `bindings` and calls `body` with each row, one at a time.
    public func forEachRow(_ sql: String, _ bindings: [String: Statement.Value] = [:],
                           _ body: (QueryRow) -> Void) throws(SQLiteError) {
        var statement = try prepare(sql)
        try statement.bind(named: bindings)
        try statement.forEachRow(body)
    }

    /// The row id of the last row inserted on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether a transaction is open (`BEGIN` without its `COMMIT` or `ROLLBACK` yet).
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// `PRAGMA user_version`: the schema version the migrations have reached.
    public func userVersion() throws(SQLiteError) -> Int {
        Int(try query("PRAGMA user_version").first?["user_version"].int ?? 0)
    }
}

/// A transaction failed: in SQLite itself, or in the body, whose error is kept.
public enum TransactionError<Body: Error>: Error {
    case database(SQLiteError)
    case body(Body)
}
