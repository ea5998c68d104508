import ArgumentParser
import Foundation
import PortScopeCapture
import PortScopeFlows
import PortScopeIngest
import PortScopeReport
import PortScopeStore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Read capture files, or directories of them, into the database.",
        discussion: """
            Files are pcap or pcapng, plain or compressed with gzip, zstd, xz, bzip2 or lz4 (known by their \
            first bytes, not their names); - reads standard input. Each file is one capture, stored in one \
            transaction: a failure leaves the database as it was. A capture already stored (same SHA-256 and \
            filter) is skipped unless --replace. A directory stands for its files in name order (with \
            --recursive, its subdirectories' too); files in it that are not captures are skipped, a line each. \
            Separate captures are read in parallel, one worker per core (--jobs), and stored in the order given. \
            --as-one NAME reads all the files as one capture, merged by time as if they were one file.

            Examples:
              portscope analyze monday.pcap tuesday.pcap.gz      two captures, read in parallel
              portscope analyze /var/captures --recursive         every capture file under a directory
              portscope analyze --as-one ring ring_*.pcap         rotated files as one capture
              tcpdump -w - -c 1000 | portscope analyze - --name office
            """
    )

    @Argument(help: "Capture files or directories; - reads standard input.")
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
    @OptionGroup var communityID: CommunityIDSeedOption
    @OptionGroup var bucket: BucketOption

    @Flag(name: .customLong("no-detect"),
          help: "Do not examine payloads for their application protocol (app_proto stays empty; for measuring its cost).")
    var noDetect = false

    @OptionGroup var servicesFile: ServicesFileOption

    @Flag(name: .long, help: "With a directory, analyze the files of its subdirectories too.")
    var recursive = false

    @Option(name: .customLong("as-one"), help: ArgumentHelp(
        "Read all the files as one capture of this name: ordered by their first packets, merged by time where they overlap; flows continue across files.",
        valueName: "name"))
    var asOne: String?

    @Option(name: .long, help: ArgumentHelp("A label for the capture (one capture only), by which reports can name it.", valueName: "label"))
    var name: String?

    @Flag(name: .long, help: "Print only errors and the final count.")
    var quiet = false

    @Option(name: .long, help: ArgumentHelp("Captures read at once (default: one per core).", valueName: "n"))
    var jobs: Int?

    func validate() throws {
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
        if asOne != nil && files.contains("-") { throw ValidationError("--as-one reads files, not standard input") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if asOne?.isEmpty == true || name?.isEmpty == true { throw ValidationError("a capture's name cannot be empty") }
    }

    func run() throws {
        var options = AnalysisOptions(filter: filter, replace: replace, flowRows: !noFlows, detectProtocols: !noDetect)
        options.pipeline.registry = try servicesFile.registry()
        options.pipeline.maxFlows = maxFlows.maxFlows
        options.pipeline.communityIDSeed = communityID.seed
        options.pipeline.bucketWidth = bucket.width(otherwise: nil)
        options.name = name
        options.setName = asOne
        // Check every input before writing anything, so a bad argument changes nothing; in a
        // directory, what is not a capture is only skipped.
        var inputs: [String] = []
        var skipped: [String] = []
        do {
            if let filter { try CaptureAnalysis.validate(filter: filter) }
            for file in files {
                guard file != "-", CaptureDirectory.isDirectory(file) else {
                    if file != "-" { try CaptureAnalysis.validate(path: file) }
                    inputs.append(file)
                    continue
                }
                for found in try CaptureDirectory.files(in: file, recursive: recursive) {
                    do { try CaptureAnalysis.validate(path: found); inputs.append(found) } catch { skipped.append("\(error)") }
                }
            }
        } catch {
            throw CLIError("\(error)")
        }
        if !quiet { for line in skipped { printError("skipped: \(line)") } }
        guard !inputs.isEmpty else { throw CLIError("no capture files in \(files.joined(separator: ", "))") }
        let captures = asOne != nil ? [inputs] : inputs.map { [$0] }
        if name != nil && captures.count > 1 {
            throw CLIError("--name labels one capture, and \(captures.count) were given (use --as-one to read them as one)")
        }
        do { _ = try CaptureStore(path: database.db) } catch { throw CLIError(error) }  // created, migrated, before the workers

        let bar = Mutex(ProgressBar(files: inputs, captures: captures.count, enabled: isatty(STDERR_FILENO) == 1 && !quiet))
        let tally = Mutex(Tally())
        let registry = options.pipeline.registry, quiet = quiet
        do {
            try AnalysisBatch.run(captures, database: database.db, options: options,
                                  workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                                  progress: { bytes in bar.withLock { $0.update(bytes) } }) { _, outcome, store in
                bar.withLock { $0.clear(captureDone: true) }
                switch outcome {
                case .success(let result):
                    tally.withLock { result.duplicateOf == nil ? ($0.stored += 1) : ($0.duplicates += 1) }
                    if !quiet { try? Self.printSummary(result, store: store, registry: registry) }
                case .failure(let error):
                    tally.withLock { $0.failed += 1 }
                    printError("Error: \(error)")
                }
            }
        } catch {
            throw CLIError(error)
        }
        let count = tally.withLock { $0 }
        if quiet || captures.count > 1 || !skipped.isEmpty {
            print(count.line(skipped: skipped.count))
        }
        if count.failed > 0 { throw ExitCode(1) }
    }

    /// Captures stored, found already stored, failed.
    private struct Tally {
        var stored = 0, duplicates = 0, failed = 0

        func line(skipped: Int) -> String {
            var parts = ["\(stored) \(stored == 1 ? "capture" : "captures") stored"]
            if duplicates > 0 { parts.append("\(duplicates) already in the database") }
            if failed > 0 { parts.append("\(failed) failed") }
            if skipped > 0 { parts.append("\(skipped) \(skipped == 1 ? "file" : "files") skipped (not captures)") }
            return parts.joined(separator: ", ")
        }
    }

    private static func printSummary(_ result: AnalysisResult, store: borrowing CaptureStore, registry: ServiceRegistry) throws {
        let s = result.summary
        for (path, holders) in result.membersStored {
            print("\(path): already stored, in capture \(holders.map(String.init).joined(separator: ", "))")
        }
        if let duplicate = result.duplicateOf {
            print("\(s.source): already in the database as capture \(duplicate) (same SHA-256\(s.filter == nil ? "" : " and filter")); skipped. Use --replace to analyze it again.")
            return
        }
        guard let id = result.captureID else { return }
        let compression = s.compression.map { ", \($0)" } ?? ""
        let files = s.members.isEmpty ? "" : ", \(s.members.count) files"
        print("capture \(id): \(s.source) (\(s.format)\(compression), \(s.linkTypes.joined(separator: ", "))\(files))\(s.status == "complete" ? "" : " [\(s.status)]")")
        printTotals(s, flows: result.flows)
        if let damage = s.damage { print("  damage: \(damage)") }
        if let evicted = s.anomalies.first(where: { $0.reason == "flow.evicted" && $0.packets > 0 }) {
            print("  flows stored early to stay under --max-flows: \(evicted.packets) (end_reason evicted)")
        }
        if let failures = CaptureNoteKind.notDecoded.list(s.anomalies, labelled: true) {
            print("  not fully decoded: " + failures)
        }
        // Evictions have their own line above.
        if let notes = CaptureNoteKind.note.list(s.anomalies.filter { $0.reason != "flow.evicted" }, labelled: true) {
            print("  noted, not failures: " + notes)
        }
        let shown = 5
        let top = try result.portTotals.map { Reports.services($0, sort: .bytes, registry: registry, limit: shown) }
            ?? Reports.services(store, filter: ReportFilter(capture: id), sort: .bytes, registry: registry)
        if !top.rows.isEmpty {
            print("  top services:")
            let columns = ["proto", "port", "service", "class", "app_proto", "packets", "bytes", "flows", "clients"]
            for line in top.selecting(columns, limit: shown).render(.table, layout: TableLayout(wide: true)).split(separator: "\n") {
                print("    " + line)
            }
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
