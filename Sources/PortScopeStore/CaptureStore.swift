import PortScopeSQLite

#if canImport(Glibc)
import Glibc
#endif

/// The PortScope database: opening, migrating, transactions, and read queries. Captures and
/// their flows are written by `flush` (CaptureFlush.swift).
public struct CaptureStore: ~Copyable {
    public let path: String
    /// The connection; the flush (CaptureFlush.swift) writes through it.
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
            // A capture is written in one transaction, its rows mostly in index order: 8 MiB
            // holds the pages a large capture's inserts touch again (16 and 64 MiB were no
            // faster on the reference workload, and 8 and 56 MiB more at peak).
            try database.execute("PRAGMA cache_size = -8192")
        } catch {
            throw .sqlite(path: path, error)
        }
        try CaptureStore.migrate(database, path: path)
        self.path = path
        db = database
    }

    /// Opens an existing database for reading only.
    /// A database of an older schema is migrated first (reports read the current one), which
    /// needs write access once.
    public init(readingFrom path: String) throws(StoreError) {
        guard access(path, F_OK) == 0 else {
            throw .notAPortScopeDatabase(path: path, reason: "no such file (run 'portscope analyze' first)")
        }
        var database = try CaptureStore.open(path, readOnly: true)
        let version: Int
        do { version = try database.userVersion() } catch { throw .sqlite(path: path, error) }
        guard version > 0 else { throw .notAPortScopeDatabase(path: path, reason: "no PortScope schema") }
        guard version <= Schema.migrations.count else {
            throw .newerSchema(path: path, version: version, supported: Schema.migrations.count)
        }
        if version < Schema.migrations.count {
            do {
                _ = try CaptureStore(path: path)
            } catch .sqlite(_, let error) where error.result == .readOnly || error.result == .cantOpen {
                throw .notAPortScopeDatabase(path: path, reason: "schema version \(version) must be migrated to "
                    + "\(Schema.migrations.count), which needs write access once (\(error.message))")
            }
            database = try CaptureStore.open(path, readOnly: true)
        }
        self.path = path
        db = database
    }

    /// Whether the database at `path` has a write-ahead log or its index beside it.
    public static func hasWALFiles(_ path: String) -> Bool {
        access(path + "-wal", F_OK) == 0 || access(path + "-shm", F_OK) == 0
    }

    /// Removes the `-wal` and `-shm` files a read-only connection leaves behind (it may not
    /// remove them itself), by opening and closing the database once read-write: SQLite then
    /// checkpoints and removes them, but only when no other connection (a running `live`) has it
    /// open. Without write access nothing is done; nothing stored changes either way.
    public static func tidy(_ path: String) {
        guard hasWALFiles(path), access(path, W_OK) == 0, let db = try? Database(path: path) else { return }
        _ = try? db.userVersion()
        _ = consume db
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
                if try db.query("SELECT count(*) AS tables FROM sqlite_master").first?["tables"].int ?? 0 > 0 {
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

    /// The id of a capture already stored with this SHA-256 and filter (the same file filtered
    /// otherwise is another capture), if any.
    public func capture(withSHA256 sha256: String, filter: String? = nil) throws(StoreError) -> Int64? {
        try query("SELECT id FROM captures WHERE sha256 = :sha256 AND filter IS :filter ORDER BY id LIMIT 1",
                  [":sha256": .text(sha256), ":filter": filter.map { .text($0) } ?? .null]).first?["id"].int
    }

    /// The captures that hold a file with this SHA-256: stored alone, or as a member of a set.
    public func captures(holdingFile sha256: String) throws(StoreError) -> [Int64] {
        try query("""
            SELECT id FROM captures WHERE sha256 = :sha256 AND kind = 'file'
            UNION SELECT capture_id FROM capture_members WHERE sha256 = :sha256 ORDER BY 1
            """, [":sha256": .text(sha256)]).map { $0["id"].int }
    }

    /// Removes the captures `ids` and everything stored from them (flows, aggregates, anomalies,
    /// a set's files), in one transaction: all of them, or none if any is missing.
    public func forget(_ ids: [Int64]) throws(StoreError) {
        try inTransaction { () throws(SQLiteError) in
            var delete = try db.prepare("DELETE FROM captures WHERE id = :id")
            for id in ids {
                try delete.bind(named: [":id": .int(id)])
                while try delete.step() {}
            }
        }
    }

    /// Opens a transaction that spans several flushes (each then a savepoint inside it), so a
    /// capture written in parts is still committed, or not, as a whole: `commit()` or `rollback()`.
    public func begin() throws(StoreError) {
        do { try db.execute("BEGIN IMMEDIATE") } catch { throw .sqlite(path: path, error) }
    }

    /// Opens a read transaction: every query until `commit()` sees the database as it was at the
    /// first, whatever other connections commit meanwhile.
    public func beginReading() throws(StoreError) {
        do { try db.execute("BEGIN DEFERRED") } catch { throw .sqlite(path: path, error) }
    }

    /// Commits the transaction `begin()`, `beginCapture` or `beginReading()` opened.
    public func commit() throws(StoreError) {
        do { try db.execute("COMMIT") } catch {
            rollback()
            throw .sqlite(path: path, error)
        }
        try? setForeignKeys(true)  // after `beginCapture` left them unchecked
    }

    /// Undoes the transaction `begin()` or `beginCapture` opened, if it is still open.
    public func rollback() {
        guard db.isInTransaction else { return }
        try? db.execute("ROLLBACK")
        try? setForeignKeys(true)
    }

    func inTransaction<R>(_ body: () throws(SQLiteError) -> R) throws(StoreError) -> R {
        do throws(TransactionError<SQLiteError>) {
            return try db.transaction(body)
        } catch {
            switch error {
            case .database(let e), .body(let e): throw .sqlite(path: path, e)
            }
        }
    }

    /// Runs a read query with `bindings` (named parameters, `:name`) and returns every row, each
    /// read by column name.
    public func query(_ sql: String, _ bindings: [String: Statement.Value] = [:]) throws(StoreError) -> [QueryRow] {
        do { return try db.query(sql, bindings) } catch { throw .sqlite(path: path, error) }
    }

    /// Runs a read query with `bindings` and calls `body` with each row, one at a time: for
    /// results too large to hold (an export of every flow).
    public func forEachRow(_ sql: String, _ bindings: [String: Statement.Value] = [:],
                           _ body: (QueryRow) -> Void) throws(StoreError) {
        do { try db.forEachRow(sql, bindings, body) } catch { throw .sqlite(path: path, error) }
    }
}
