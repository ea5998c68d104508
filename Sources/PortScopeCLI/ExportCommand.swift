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
        abstract: "Flows in the formats other tools read: Zeek's conn.log (TSV or JSON) or Elastic Common Schema.",
        discussion: """
            Originator and responder are who opened the flow, as Zeek has them; PortScope's server side is kept \
            (ECS: client/server). Oldest flow first, written as it is read.

            Examples:
              portscope export --format zeek -o conn.log
              portscope export --format ecs --capture 2 --port 443 | curl -H 'Content-Type: application/x-ndjson' ...
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "zeek (conn.log TSV), zeek-json (Zeek's JSON logs) or ecs (NDJSON).")
    var format: ExportFormat?

    @Option(name: .long, help: ArgumentHelp(
        "Send the captures to ClickHouse's HTTP interface instead: captures, flows, host services and time buckets "
            + "(user and password in the URL or CLICKHOUSE_USER/CLICKHOUSE_PASSWORD).", valueName: "http://host:8123"))
    var clickhouse: String?

    @Option(name: .customLong("database"), help: ArgumentHelp("With --clickhouse: the ClickHouse database.", valueName: "name"))
    var clickhouseDatabase = "portscope"

    @Option(name: .long, help: ArgumentHelp("With --clickhouse: the sensor of captures stored without one (default: this host's name).",
                                            valueName: "name"))
    var sensor: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file (default: standard output).", valueName: "file"))
    var output: String?

    @OptionGroup var flowFilter: FlowFilterOptions

    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var timeWindow: TimeWindowOption

    @OptionGroup var localNetworks: LocalNetworksOption

    func validate() throws {
        guard (format == nil) != (clickhouse == nil) else { throw ValidationError("give one of --format and --clickhouse") }
        if let clickhouse, ClickHouseServer(url: clickhouse) == nil {
            throw ValidationError("--clickhouse: '\(ClickHouseServer.redacted(clickhouse))' is not an http://host[:port] URL")
        }
        if clickhouseDatabase.isEmpty || !clickhouseDatabase.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            throw ValidationError("--database: letters, digits and _ only")
        }
    }

    func run() throws {
        if let clickhouse { return try sendToClickHouse(clickhouse) }
        guard let format else { return }
        try database.read { store in
            let captures = try timeWindow.applied(to: try captureReference.selection(in: store), in: store)
            let filter = try flowFilter.filter(captures: captures.ids, window: captures.window)
            var sink = try ExportSink(path: output)
            try FlowExport.write(store, filter: filter, format: format, local: localNetworks.local, to: &sink)
            try sink.finish(path: output)
        }
    }

    private func sendToClickHouse(_ url: String) throws {
        let server = ClickHouseServer(url: url, environment: ProcessInfo.processInfo.environment)!
        let export = ClickHouseExport(server: server, database: clickhouseDatabase, sensor: sensor ?? CaptureWriter.hostName)
        let result = try database.read { store in
            let captures = try timeWindow.applied(to: try captureReference.selection(in: store), in: store)
            do { return try export.export(store, captures: captures) } catch let error as HTTPError {
                throw CLIError("ClickHouse at \(server): \(error)")
            }
        }
        var line = "\(result.exported.count) capture\(result.exported.count == 1 ? "" : "s") sent to \(server)/\(clickhouseDatabase) "
            + "(\(result.rows) rows)"
        if !result.alreadyThere.isEmpty { line += ", \(result.alreadyThere.count) already there" }
        if !result.running.isEmpty { line += ", \(result.running.count) still running (not sent)" }
        print(line)
    }
}
