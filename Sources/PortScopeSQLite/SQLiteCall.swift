import CSQLite

/// SQLite result codes (https://sqlite.org/rescode.html) as an open struct.
public struct SQLiteResult: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let ok = SQLiteResult(rawValue: SQLITE_OK)
    public static let error = SQLiteResult(rawValue: SQLITE_ERROR)
    public static let row = SQLiteResult(rawValue: SQLITE_ROW)
    public static let done = SQLiteResult(rawValue: SQLITE_DONE)
    public static let busy = SQLiteResult(rawValue: SQLITE_BUSY)
    public static let readOnly = SQLiteResult(rawValue: SQLITE_READONLY)
    public static let full = SQLiteResult(rawValue: SQLITE_FULL)
    public static let notADatabase = SQLiteResult(rawValue: SQLITE_NOTADB)
    public static let corrupt = SQLiteResult(rawValue: SQLITE_CORRUPT)
    public static let cantOpen = SQLiteResult(rawValue: SQLITE_CANTOPEN)
}

/// A failed SQLite call: the result code and SQLite's message.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public var result: SQLiteResult
    public var message: String
    public var description: String { message }
}

/// Turns a result code into a thrown error carrying the connection's message.
@inline(__always)
func check(_ code: Int32, _ handle: OpaquePointer?, allowing: Int32 = SQLITE_OK) throws(SQLiteError) {
    guard code != SQLITE_OK && code != allowing else { return }
    let message = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
    throw SQLiteError(result: SQLiteResult(rawValue: code), message: message)
}
