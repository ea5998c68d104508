import PortScopeStore

/// How a report is printed.
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, json, csv
}

/// A report column: its stable JSON/CSV key and whether it holds numbers (right-aligned).
public struct ReportColumn: Sendable {
    public var key: String
    public var numeric: Bool
    public init(_ key: String, numeric: Bool = false) {
        self.key = key
        self.numeric = numeric
    }
}

extension Statement.Value {
    /// The text of a text cell; "" otherwise.
    var text: String { if case .text(let t) = self { t } else { "" } }
    /// The integer of an integer cell; 0 otherwise (SQL NULL included).
    var int: Int64 { if case .int(let v) = self { v } else { 0 } }
}

/// Rows ready to print in any `OutputFormat`.
public struct Report: Sendable {
    public typealias Cell = Statement.Value
    public var columns: [ReportColumn]
    public var rows: [[Cell]]

    public init(columns: [ReportColumn], rows: [[Cell]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The cell of column `key` in `row` (null when there is no such column), so callers need
    /// not know where a column stands.
    public func value(_ key: String, in row: [Cell]) -> Cell {
        columns.firstIndex { $0.key == key }.map { row[$0] } ?? .null
    }

    /// The same report with only the columns `keys`, in that order, and its first `limit` rows.
    public func selecting(_ keys: [String], limit: Int) -> Report {
        let indices = keys.compactMap { key in columns.firstIndex { $0.key == key } }
        return Report(columns: indices.map { columns[$0] }, rows: rows.prefix(limit).map { row in indices.map { row[$0] } })
    }

    /// Renders the report. `limit` cuts rows (nil: all); a table notes how many were left out.
    public func render(_ format: OutputFormat, limit: Int? = nil) -> String {
        let shown = limit.map { Array(rows.prefix($0)) } ?? rows
        switch format {
        case .json: return json(shown)
        case .csv: return csv(shown)
        case .table:
            var text = table(shown)
            if shown.count < rows.count { text += "(\(rows.count - shown.count) more rows; --top N or --format json|csv for all)\n" }
            return text
        }
    }

    private func plain(_ cell: Cell) -> String {
        switch cell {
        case .int(let v): String(v)
        case .double(let v): String(v)
        case .text(let v): v
        case .null: ""
        }
    }

    private func table(_ rows: [[Cell]]) -> String {
        if rows.isEmpty { return "(no rows)\n" }
        let header = columns.map { $0.key.uppercased() }
        let texts = rows.map { $0.map(plain) }
        var widths = header.map(\.count)
        for row in texts { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                parts.append(columns[i].numeric ? pad + cell : (i == cells.count - 1 ? cell : cell + pad))
            }
            return parts.joined(separator: "  ") + "\n"
        }
        return line(header) + texts.map(line).joined()
    }

    private func json(_ rows: [[Cell]]) -> String {
        if rows.isEmpty { return "[]\n" }
        let objects = rows.map { row in
            "  {" + zip(columns, row).map { column, cell in "\"\(column.key)\": \(jsonValue(cell))" }.joined(separator: ", ") + "}"
        }
        return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    private func jsonValue(_ cell: Cell) -> String {
        switch cell {
        case .int(let v): return String(v)
        case .double(let v): return v.isFinite ? String(v) : "null"
        case .null: return "null"
        case .text(let v):
            var out = "\""
            for scalar in v.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }
    }

    private func csv(_ rows: [[Cell]]) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacing("\"", with: "\"\"") + "\"" : text
        }
        let header = columns.map { field($0.key) }.joined(separator: ",")
        return ([header] + rows.map { $0.map { field(plain($0)) }.joined(separator: ",") }).joined(separator: "\n") + "\n"
    }
}
