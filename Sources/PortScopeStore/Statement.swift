import CSQLite

/// A prepared statement. Owns its handle and finalizes it on deinit.
/// The corresponding C type is `sqlite3_stmt`.
public struct Statement: ~Copyable {
    let handle: OpaquePointer
    let connection: OpaquePointer

    deinit { sqlite3_finalize(handle) }

    /// A value to bind to a parameter.
    public enum Value: Sendable, Equatable {
        case int(Int64)
        case double(Double)
        case text(String)
        case null
    }

    /// Binds `values` to parameters 1…n, after resetting the statement.
    public mutating func bind(_ values: [Value]) throws(SQLiteError) {
        sqlite3_reset(handle)
        for (i, value) in values.enumerated() {
            try bind(value, at: Int32(i + 1))
        }
    }

    public mutating func bind(_ value: Value, at index: Int32) throws(SQLiteError) {
        let code: Int32
        switch value {
        case .int(let v): code = sqlite3_bind_int64(handle, index, v)
        case .double(let v): code = sqlite3_bind_double(handle, index, v)
        case .text(let v): code = sqlite3_bind_text(handle, index, v, -1, portscope_sqlite_transient())
        case .null: code = sqlite3_bind_null(handle, index)
        }
        try check(code, connection)
    }

    /// Binds `text` (UTF-8, copied by SQLite) to one parameter.
    public mutating func bind(utf8 text: UnsafeBufferPointer<UInt8>, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_text(handle, index, text.baseAddress, Int32(text.count), portscope_sqlite_transient()), connection)
    }

    /// Readies the statement for values bound one at a time with `bind(_:at:)`, then `run()`:
    /// the form of bulk writes, which build no array per row.
    public mutating func reset() {
        sqlite3_reset(handle)
    }

    /// Advances to the next row; false when there is none.
    public mutating func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        try check(code, connection, allowing: SQLITE_DONE)
        return false
    }

    /// Runs the statement with `values` bound, ignoring any rows.
    public mutating func run(_ values: [Value] = []) throws(SQLiteError) {
        try bind(values)
        while try step() {}
    }

    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func text(_ column: Int32) -> String {
        guard let c = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: c)
    }
    public var columnCount: Int32 { sqlite3_column_count(handle) }
}
