import CSQLite

/// A prepared statement. Owns its handle and finalizes it on deinit.
/// The corresponding C type is `sqlite3_stmt`.
public struct Statement: ~Copyable {
    let handle: OpaquePointer
    let connection: OpaquePointer

    init(handle: OpaquePointer, connection: OpaquePointer) {
        self.handle = handle
        self.connection = connection
    }

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
        case .text(var v):
            // Through the string's own UTF-8 (no C string made and freed per value).
            code = v.withUTF8 { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), portscope_sqlite_transient()) }
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

    /// Binds each value to the parameter of its name (`:captures`), after resetting the
    /// statement; a name the statement lacks is an error.
    public mutating func bind(named values: [String: Value]) throws(SQLiteError) {
        sqlite3_reset(handle)
        for (name, value) in values {
            let index = sqlite3_bind_parameter_index(handle, name)
            guard index > 0 else { throw SQLiteError(result: .error, message: "no parameter \(name)") }
            try bind(value, at: index)
        }
    }

    /// The value of a column of the current row, as SQLite typed it.
    public func value(_ column: Int32) -> Value {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: .int(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: .double(sqlite3_column_double(handle, column))
        case SQLITE_NULL: .null
        default: .text(sqlite3_column_text(handle, column).map { String(cString: $0) } ?? "")
        }
    }

    /// The names of the result columns (`AS` names where given).
    public var columnNames: [String] {
        (0..<sqlite3_column_count(handle)).map { String(cString: sqlite3_column_name(handle, $0)) }
    }

    /// Every remaining row, each read by column name.
    public mutating func rows() throws(SQLiteError) -> [QueryRow] {
        var result: [QueryRow] = []
        try forEachRow { result.append($0) }
        return result
    }

    /// Calls `body` with each remaining row in turn, read by column name, holding one row at a
    /// time (an export streams a whole table so).
    public mutating func forEachRow(_ body: (QueryRow) -> Void) throws(SQLiteError) {
        let columns = QueryColumns(columnNames)
        let count = sqlite3_column_count(handle)
        while try step() {
            var values: [Value] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count { values.append(value(column)) }
            body(QueryRow(columns: columns, values: values))
        }
    }
}

extension Statement.Value {
    /// A JSON array of `items`, bound as text for SQLite's `json_each(:name)`: how a query takes
    /// a list in one parameter.
    public static func jsonArray(_ items: [String]) -> Statement.Value {
        .text("[" + items.map { "\"" + $0.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "]")
    }

    /// A JSON array of integers, bound as text for `json_each(:name)`.
    public static func jsonArray(_ items: [Int64]) -> Statement.Value {
        .text("[" + items.map(String.init).joined(separator: ",") + "]")
    }

    /// The text of a text cell; "" otherwise.
    public var text: String { if case .text(let t) = self { t } else { "" } }
    /// The integer of an integer cell; 0 otherwise (SQL NULL included).
    public var int: Int64 { if case .int(let v) = self { v } else { 0 } }
}
