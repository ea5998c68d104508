import PortScopeSQLite

/// How a report is printed.
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, json, csv
}

/// How a column's cells print.
public enum CellStyle: Sendable {
    case text
    /// Numbers shown as they are (ports, ids, codes): right-aligned in tables.
    case number
    /// Counts (packets, flows, hosts): right-aligned; in default tables `1.2 k`.
    case count
    /// Sizes in bytes: right-aligned; in default tables `36.0 MiB`.
    case bytes
    /// Nanoseconds since the epoch, printed as ISO 8601 UTC (`formatTimestamp`) in every format.
    case time
    /// Items separated by spaces: an array of strings in JSON, the text itself in CSV, and in a
    /// table the first few and how many more (the whole list is for JSON and CSV).
    case list

    var isNumeric: Bool { self == .number || self == .count || self == .bytes }
}

/// A report column as printed: its stable JSON/CSV key, its table header, its style, what a
/// table shows for a null cell (JSON and CSV keep the null), whether it is a detail a default
/// table leaves to `--wide`, and where a default table cuts its long cells short (`clip`).
public struct ReportHeading: Sendable {
    public var key: String
    public var header: String
    public var style: CellStyle
    public var absent: String = ""
    public var detail = false
    public var clip: TextClip? = nil
    /// A default table leaves it out when no row has a value (a column only some captures fill).
    public var hideWhenEmpty = false
}

/// How a default table cuts a long cell to `width` characters: at its end (a name), or at its
/// start (a path, whose end says most).
public enum TextClip: Sendable {
    case end(Int), start(Int)

    /// Names: 24 characters.
    public static let name = TextClip.end(24)
    /// Paths: 36 characters.
    public static let path = TextClip.start(36)

    func apply(_ text: String) -> String {
        switch self {
        case .end(let width): text.count > width ? text.prefix(width - 1) + "…" : text
        case .start(let width): text.count > width ? "…" + text.suffix(width - 1) : text
        }
    }
}

/// Rows ready to print in any `OutputFormat`: cells stored in the order of `headings`, read by
/// column key (`value(_:in:)`, `selecting`), never by position.
public struct Report: Sendable {
    public typealias Cell = Statement.Value
    public let headings: [ReportHeading]
    public let rows: [[Cell]]

    /// A report of `sources`, one row each, with the cells `columns` make of them.
    public init<Source>(_ columns: [ReportColumn<Source>], _ sources: [Source]) {
        headings = columns.map(\.heading)
        rows = sources.map { source in columns.map { $0.cell(source) } }
    }

    private init(headings: [ReportHeading], rows: [[Cell]]) {
        self.headings = headings
        self.rows = rows
    }

    /// The cell of column `key` in `row` (null when there is no such column).
    public func value(_ key: String, in row: [Cell]) -> Cell {
        headings.firstIndex { $0.key == key }.map { row[$0] } ?? .null
    }

    /// The same report with only the columns `keys`, in that order, and its first `limit` rows.
    public func selecting(_ keys: [String], limit: Int = .max) -> Report {
        let positions = keys.compactMap { key in headings.firstIndex { $0.key == key } }
        return Report(headings: positions.map { headings[$0] }, rows: rows.prefix(limit).map { row in positions.map { row[$0] } })
    }

    /// The keys of the columns, in order.
    public var keys: [String] { headings.map(\.key) }

    /// The same report with only the rows `include` keeps.
    public func keeping(_ include: (_ row: [Cell]) -> Bool) -> Report {
        Report(headings: headings, rows: rows.filter(include))
    }

    /// Renders the report. `limit` cuts rows (nil: all); a table notes how many were left out.
    /// `layout` picks columns (every format) and how a table prints them.
    public func render(_ format: OutputFormat, limit: Int? = nil, layout: TableLayout = .standard) -> String {
        if let keys = layout.columns { return selecting(keys).render(format, limit: limit, layout: TableLayout(wide: true, exact: layout.exact)) }
        let shown = limit.map { Array(rows.prefix($0)) } ?? rows
        switch format {
        case .json: return json(shown)
        case .csv: return csv(shown)
        case .table:
            let picked = selecting(layout.wide ? keys : headings.indices.filter { i in
                !headings[i].detail && !(headings[i].hideWhenEmpty && shown.allSatisfy { $0[i] == .null })
            }.map { headings[$0].key }, limit: shown.count)
            var text = picked.table(picked.rows, layout)
            if shown.count < rows.count { text += "(\(rows.count - shown.count) more rows; --top N or --format json|csv for all)\n" }
            return text
        }
    }

    /// A cell as its column prints it in JSON and CSV: times formatted, the rest as stored.
    private func printed(_ cell: Cell, _ style: CellStyle) -> Cell {
        guard style == .time else { return cell }
        if case .int(let ns) = cell { return .text(formatTimestamp(ns)) }
        return .null
    }

    private func plain(_ cell: Cell) -> String {
        switch cell {
        case .int(let v): String(v)
        case .double(let v): String(v)
        case .text(let v): v
        case .null: ""
        }
    }

    private func texts(_ row: [Cell]) -> [String] {
        zip(row, headings).map { plain(printed($0, $1.style)) }
    }

    /// Items a table shows of a list cell.
    private static let tableListItems = 5

    /// A row's cells as a table prints them: human numbers and times to the second unless
    /// `exact`, long lists and clipped text cut short unless `wide`.
    func tableTexts(_ row: [Cell], _ layout: TableLayout) -> [String] {
        zip(zip(texts(row), headings), row).map { pair, cell in
            let (text, heading) = pair
            if cell == .null { return heading.absent }
            if !layout.exact, case .int(let value) = cell {
                switch heading.style {
                case .count: return HumanNumber.count(value)
                case .bytes: return HumanNumber.bytes(value)
                case .time: return "\(CivilTime(value).date) \(CivilTime(value).clock)"
                default: break
                }
            }
            if heading.style == .list {
                let items = text.split(separator: " ")
                guard items.count > Self.tableListItems else { return text }
                return items.prefix(Self.tableListItems).joined(separator: " ") + " … +\(items.count - Self.tableListItems)"
            }
            guard let clip = heading.clip, !layout.wide else { return text }
            return clip.apply(text)
        }
    }

    private func table(_ rows: [[Cell]], _ layout: TableLayout) -> String {
        if rows.isEmpty { return "(no rows)\n" }
        let header = headings.map(\.header)
        let texts = rows.map { tableTexts($0, layout) }
        var widths = header.map(\.count)
        for row in texts { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                parts.append(headings[i].style.isNumeric ? pad + cell : (i == cells.count - 1 ? cell : cell + pad))
            }
            var text = parts.joined(separator: "  ")
            while text.last == " " { text.removeLast() }  // an empty last cell
            return text + "\n"
        }
        return line(header) + texts.map(line).joined()
    }

    private func json(_ rows: [[Cell]]) -> String {
        if rows.isEmpty { return "[]\n" }
        let objects = rows.map { row in
            "  {" + zip(headings, row).map { heading, cell in "\"\(heading.key)\": \(json(cell, heading.style))" }
                .joined(separator: ", ") + "}"
        }
        return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    private func json(_ cell: Cell, _ style: CellStyle) -> String {
        guard style == .list, case .text(let items) = cell else { return jsonValue(printed(cell, style)) }
        return "[" + items.split(separator: " ").map { jsonValue(.text(String($0))) }.joined(separator: ", ") + "]"
    }

    private func jsonValue(_ cell: Cell) -> String {
        switch cell {
        case .int(let v): return String(v)
        case .double(let v): return v.isFinite ? String(v) : "null"
        case .null: return "null"
        case .text(let v): return jsonString(v)
        }
    }

    private func csv(_ rows: [[Cell]]) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacing("\"", with: "\"\"") + "\"" : text
        }
        let header = headings.map { field($0.key) }.joined(separator: ",")
        return ([header] + rows.map { texts($0).map(field).joined(separator: ",") }).joined(separator: "\n") + "\n"
    }
}
