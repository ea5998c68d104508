import ArgumentParser
import PortScopeReport

struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    @Option(name: .long, help: "Show only the first N rows (tables default to 25; JSON and CSV print every row).")
    var top: Int?

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
    }

    var limit: Int? { top ?? (format == .table ? 25 : nil) }
}
