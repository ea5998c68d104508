import ArgumentParser
import PortScopeFlows
import PortScopeIngest
import PortScopeReport
import PortScopeStore

#if canImport(Glibc)
import Glibc
#endif

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Read capture files (pcap, pcapng; - for standard input) into the database.",
        discussion: "Each file is one capture, stored in one transaction: a failure leaves the database as it was. A file already stored (same SHA-256) is skipped unless --replace."
    )

    @Argument(help: "Capture files to analyze; - reads standard input.")
    var files: [String]

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Only packets matching this tcpdump filter expression (libpcap syntax).")
    var filter: String?

    @Flag(name: .long, help: "Analyze again a capture already in the database, replacing it.")
    var replace = false

    @Flag(name: .customLong("no-flows"),
          help: "Keep only the per-host and per-port aggregates, not a row per flow: a smaller, faster database for huge captures. services works on it; hosts, unexpected, flows and policy need flow rows.")
    var noFlows = false

    @OptionGroup var maxFlows: MaxFlowsOption

    @Flag(name: .customLong("no-detect"),
          help: "Do not examine payloads for their application protocol (app_proto stays empty; for measuring its cost).")
    var noDetect = false

    @OptionGroup var servicesFile: ServicesFileOption

    func validate() throws {
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
    }

    func run() throws {
        var options = AnalysisOptions(filter: filter, replace: replace, flowRows: !noFlows, detectProtocols: !noDetect)
        options.pipeline.registry = try servicesFile.registry()
        options.pipeline.maxFlows = maxFlows.maxFlows
        // Check every input before writing anything, so a bad argument changes nothing.
        do {
            if let filter { try CaptureAnalysis.validate(filter: filter) }
            for file in files where file != "-" { try CaptureAnalysis.validate(path: file) }
        } catch {
            throw CLIError(error)
        }
        let store: CaptureStore
        do { store = try CaptureStore(path: database.db) } catch { throw CLIError(error) }
        let showProgress = isatty(STDERR_FILENO) == 1
        var failures = 0
        for file in files {
            let progress = ProgressBar(label: file, enabled: showProgress)
            do {
                let result = try CaptureAnalysis.run(path: file, store: store, options: options) { progress.update($0) }
                progress.finish()
                try printSummary(result, store: store, registry: options.pipeline.registry)
            } catch {
                progress.finish()
                printError("Error: \(error)")
                failures += 1
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private func printSummary(_ result: AnalysisResult, store: borrowing CaptureStore, registry: ServiceRegistry) throws {
        let s = result.summary
        if let duplicate = result.duplicateOf {
            print("\(s.source): already in the database as capture \(duplicate) (same SHA-256); skipped. Use --replace to analyze it again.")
            return
        }
        guard let id = result.captureID else { return }
        print("capture \(id): \(s.source) (\(s.format), \(s.linkTypes.joined(separator: ", ")))\(s.status == "complete" ? "" : " [\(s.status)]")")
        printTotals(s, flows: result.flows)
        if let damage = s.damage { print("  damage: \(damage)") }
        if let evicted = s.anomalies.first(where: { $0.reason == "flow.evicted" && $0.packets > 0 }) {
            print("  flows stored early to stay under --max-flows: \(evicted.packets) (end_reason evicted)")
        }
        let notes = s.anomalies.filter { $0.packets > 0 }
        if !notes.isEmpty {
            print("  not fully decoded or noted: " + notes.map { "\($0.reason) \($0.packets)" }.joined(separator: ", "))
        }
        let top = try Reports.services(store, filter: ReportFilter(capture: id), sort: .bytes, registry: registry)
        if !top.rows.isEmpty {
            print("  top services:")
            let trimmed = top.selecting(["proto", "port", "service", "class", "app_proto", "packets", "bytes", "flows", "clients"],
                                        limit: 5)
            for line in trimmed.render(.table).split(separator: "\n") { print("    " + line) }
        }
    }
}

/// The totals lines of a capture's summary, as `analyze` and `live` print them.
func printTotals(_ s: CaptureSummary, flows: Int) {
    print("  packets \(s.packets), bytes \(s.bytes), flows \(flows)")
    if let first = s.firstTime, let last = s.lastTime {
        print("  time \(formatTimestamp(first)) .. \(formatTimestamp(last))")
    }
}
