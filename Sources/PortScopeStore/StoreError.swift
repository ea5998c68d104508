import PortScopeSQLite

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
