import PortScopeSQLite

/// One column of a report, defined once: its stable key (JSON, CSV), its table header (the key
/// in capitals), how its cells print, and how one `Source` (a query row, a finding, a host's
/// line) fills it. In a report read from one query, `sql` is the expression the column is
/// selected by, under its key: the column list makes the query's select list.
public struct ReportColumn<Source>: Sendable {
    public let heading: ReportHeading
    public let sql: String?
    let cell: @Sendable (Source) -> Report.Cell

    /// A column computed from the source. `header` is the table's (the key in capitals unless
    /// given); `absent` what a table shows for a null cell; `detail`: a default table leaves it
    /// to `--wide`; `clip`: where a default table cuts its long cells short.
    public init(_ key: String, _ style: CellStyle = .text, header: String? = nil, absent: String = "",
                detail: Bool = false, clip: TextClip? = nil, hideWhenEmpty: Bool = false,
                cell: @escaping @Sendable (Source) -> Report.Cell) {
        heading = ReportHeading(key: key, header: header ?? key.uppercased(), style: style, absent: absent,
                                detail: detail, clip: clip, hideWhenEmpty: hideWhenEmpty)
        sql = nil
        self.cell = cell
    }

    public var key: String { heading.key }
}

extension ReportColumn where Source == QueryRow {
    /// A column selected by the SQL expression `sql` and read back by its key.
    public init(_ key: String, _ style: CellStyle = .text, header: String? = nil, detail: Bool = false, clip: TextClip? = nil,
                sql: String) {
        heading = ReportHeading(key: key, header: header ?? key.uppercased(), style: style, detail: detail, clip: clip)
        self.sql = sql
        cell = { $0[key] }
    }

    /// The select list of these columns (`expr AS key, …`), for the columns with an expression,
    /// then `inputs` (expressions computed columns read, by name).
    static func selectList(_ columns: [ReportColumn<QueryRow>], inputs: [(name: String, sql: String)] = []) -> String {
        (columns.compactMap { column in column.sql.map { ($0, column.key) } } + inputs.map { ($0.sql, $0.name) })
            .map { "\($0.0) AS \($0.1)" }.joined(separator: ",\n       ")
    }
}
