import ArgumentParser
import Foundation
import PortScopeClickHouse
import PortScopeAnalysis
import PortScopeDecode
import PortScopeReport
import PortScopeStore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Flows in the formats other tools read (Zeek's conn.log, TSV or JSON; Elastic Common Schema), or the captures into ClickHouse.",
        discussion: """
            Originator and responder are who opened the flow, as Zeek has them; PortScope's server side is kept \
            (ECS: client/server). Oldest flow first, written as it is read.

            Examples:
              portscope export --format zeek -o conn.log
              portscope export --format ecs --capture 2 --port 443 | curl -H 'Content-Type: application/x-ndjson' ...
              portscope export --clickhouse http://ch.example:8123 --sensor dmz-1

            --clickhouse compares each capture with what ClickHouse holds of it and sends the difference, so \
            running it again, or after an export that broke off, never counts anything twice.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "zeek (conn.log TSV), zeek-json (Zeek's JSON logs) or ecs (NDJSON).")
    var format: ExportFormat?

    @OptionGroup var clickhouse: ClickHouseOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file (default: standard output).", valueName: "file"))
    var output: String?

    @OptionGroup var flowFilter: FlowFilterOptions

    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var timeWindow: TimeWindowOption

    @OptionGroup var localNetworks: LocalNetworksOption

    func validate() throws {
        guard (format == nil) != (clickhouse.clickhouse == nil) else { throw ValidationError("give one of --format and --clickhouse") }
    }

    func run() throws {
        if let export = clickhouse.export { return try send(export) }
        guard let format else { return }
        try database.read { store in
            let captures = try timeWindow.applied(to: try captureReference.selection(in: store), in: store)
            let filter = try flowFilter.filter(captures: captures.ids, window: captures.window)
            var sink = try ExportSink(path: output)
            try FlowExport.write(store, filter: filter, format: format, local: localNetworks.local, to: &sink)
            try sink.finish(path: output)
        }
    }

    private func send(_ export: ClickHouseExport) throws {
        let server = export.server
        let result = try database.read { store in
            let captures = try timeWindow.applied(to: try captureReference.selection(in: store), in: store)
            do { return try export.export(store, captures: captures) } catch let error as HTTPError {
                throw CLIError("ClickHouse at \(server): \(error)")
            }
        }
        var line = "\(result.exported.count) capture\(result.exported.count == 1 ? "" : "s") sent to \(server)/\(export.database) "
            + "(\(result.rows) rows)"
        if !result.alreadyThere.isEmpty { line += ", \(result.alreadyThere.count) already there" }
        if !result.running.isEmpty { line += ", \(result.running.count) still being captured (not sent; live --clickhouse sends its own)" }
        print(line)
    }
}
