/// The column names of a query's result, shared by its rows.
public final class QueryColumns: Sendable {
    public let names: [String]

    init(_ names: [String]) {
        self.names = names
    }

    /// The first column of that name. A scan, not a hash: names are short (compared inline, as
    /// small strings) and few, and a report reads every cell of every row by name.
    func position(of name: String) -> Int? { names.firstIndex(of: name) }
}

/// One row of a query's result, read by column name: the query names its columns (`AS`), code
/// reads them by those names and never by where they stand.
public struct QueryRow: Sendable {
    public let columns: QueryColumns
    /// The values in the order of `columns.names`; for comparing whole rows.
    public let values: [Statement.Value]

    /// The value of the column `name`. Asking for a column the query does not select is a
    /// mistake in PortScope's own SQL, caught by any test that runs it.
    public subscript(_ name: String) -> Statement.Value {
        guard let position = columns.position(of: name) else {
            preconditionFailure("the query has no column '\(name)' (it has \(columns.names.joined(separator: ", ")))")
        }
        return values[position]
    }
}

extension QueryRow {
    /// Rows made in memory, one per entry of `values` (in the order of `names`), read by name
    /// like a query's: for a report whose figures were summed before they were stored.
    public static func rows(names: [String], _ values: [[Statement.Value]]) -> [QueryRow] {
        let columns = QueryColumns(names)
        return values.map { QueryRow(columns: columns, values: $0) }
    }
}
