import ArgumentParser
import PortScopeReport

struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    @Option(name: .long, help: "Show only the first N rows (tables default to 25; JSON and CSV print every row).")
    var top: Int?

    @Flag(name: .long, help: "Tables: every column, cells whole (JSON and CSV always have every key).")
    var wide = false

    @Option(name: .long, help: ArgumentHelp("Only these columns, in this order, by their JSON keys (any format).",
                                            valueName: "key,key,…"))
    var columns: String?

    @Flag(name: .long, help: "Tables: numbers and times exactly as JSON has them (37704648, not 36.0 MiB).")
    var exact = false

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        if let columns, ListOption.values([columns]).isEmpty { throw ValidationError("--columns: name at least one column") }
    }

    var limit: Int? { top ?? (format == .table ? 25 : nil) }

    var layout: TableLayout {
        TableLayout(wide: wide, columns: columns.map { ListOption.values([$0]) }, exact: exact)
    }

    /// `report` as these options print it; a column `--columns` names that the report lacks is a usage error.
    func render(_ report: Report, limit: Int?? = nil) throws -> String {
        if let unknown = layout.columns?.first(where: { !report.keys.contains($0) }) {
            throw ValidationError("--columns: no column '\(unknown)' (columns: \(report.keys.joined(separator: ", ")))")
        }
        return report.render(format, limit: limit ?? self.limit, layout: layout)
    }
}
