import ArgumentParser
import PortScopeAnalysis
import PortScopeCapture
import PortScopeClickHouse
import PortScopeFlows
import PortScopeIngest
import PortScopeReport
import PortScopeStore

#if canImport(Glibc)
import Glibc
#endif

struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Capture from an interface into the database, flushed as it runs.",
        discussion: """
            The capture is one row in 'portscope captures' (status running), brought up to date every \
            --flush-every; reports can read it meanwhile. Stops on Ctrl-C, SIGTERM, --duration or --count \
            with a final flush, then prints libpcap's counters (received, dropped by the kernel and by the \
            interface), which are stored with the capture. A second Ctrl-C stops at once; what earlier \
            flushes stored is kept.

            Examples:
              portscope live -i eth0 --duration 1h                 an hour of eth0, flushed every 10s
              portscope live -i any --filter 'not port 22' --bucket 5m
              portscope services --since 10m                       meanwhile, from another terminal
              portscope live -i eth0 --clickhouse http://ch.example:8123 --sensor dmz-1

            With --clickhouse every flush is sent to ClickHouse once it is stored locally, from a thread of \
            its own; while ClickHouse does not answer, the local database keeps the backlog (the status line \
            shows it) and the next send that gets through brings ClickHouse level with it.
            """
    )

    @Option(name: [.short, .customLong("interface")], help: "The interface to capture on (see 'portscope interfaces').")
    var interface: String

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Only packets matching this tcpdump filter expression (run in the kernel).")
    var filter: String?

    @Option(name: .long, help: "Stop after this long: 500ms, 30s, 10m, 2h, 1d (default: until Ctrl-C or SIGTERM).")
    var duration: TimeSpan?

    @Option(name: .long, help: "Stop after this many packets (default: no limit).")
    var count: UInt64?

    @Option(name: .customLong("flush-every"), help: "Write to the database this often: 500ms, 10s, 5m, 1h (at least 100ms; a bare number is seconds).")
    var flushEvery = TimeSpan(nanoseconds: 10_000_000_000)

    @Option(name: .long, help: "Bytes kept of each packet, 64-65535 (headers need fewer than 256; payload detection reads what is kept).")
    var snaplen: Int32 = 256

    @Flag(name: .long, help: "Put the interface in promiscuous mode.")
    var promisc = false

    @Option(name: .long, help: "Once the interface is open, drop root privileges to this user (as tcpdump -Z).")
    var user: String?

    @OptionGroup var servicesFile: ServicesFileOption
    @OptionGroup var maxFlows: MaxFlowsOption
    @OptionGroup var communityID: CommunityIDSeedOption
    @OptionGroup var bucket: BucketOption
    @OptionGroup var localNetworks: LocalNetworksOption

    @Option(name: .customLong("on-finding"), help: ArgumentHelp(
        "Run this shell command once per new finding, after the flush that shows it, with the finding as JSON on its standard input "
            + "(never waited for; one failing or running over 10s is reported).", valueName: "command"))
    var onFinding: String?

    @Option(name: .long, help: ArgumentHelp("Judge the findings --on-finding announces against this policy file.", valueName: "file"))
    var policy: String?

    @OptionGroup var clickhouse: ClickHouseOptions

    func validate() throws {
        guard (64...65535).contains(snaplen) else { throw ValidationError("--snaplen must be between 64 and 65535") }
        if let count, count == 0 { throw ValidationError("--count must be at least 1") }
        if flushEvery.nanoseconds < 100_000_000 { throw ValidationError("--flush-every must be at least 100ms") }
    }

    func run() throws {
        var captureOptions = LiveCaptureOptions(interface: interface)
        captureOptions.snaplen = snaplen
        captureOptions.promiscuous = promisc
        captureOptions.filter = filter
        var options = LiveOptions(capture: captureOptions)
        options.duration = duration?.nanoseconds
        options.count = count
        options.flushInterval = flushEvery.nanoseconds
        options.pipeline.registry = try servicesFile.registry()
        options.pipeline.maxFlows = maxFlows.maxFlows
        options.pipeline.communityIDSeed = communityID.seed
        options.pipeline.bucketWidth = bucket.width(otherwise: 60_000_000_000)

        var findingOptions = FindingOptions(local: localNetworks.local, registry: options.pipeline.registry)
        if let policy { findingOptions.policy = try readPolicy(policy) }
        let announcer = onFinding.map { FindingAnnouncer(command: $0, database: database.db, options: findingOptions) }

        // The interface first: a capture that cannot start leaves the database untouched.
        var capture: LiveCapture
        do { capture = try LiveCapture(captureOptions) } catch { throw CLIError(error) }
        if let user {
            do { try dropPrivileges(to: user) } catch { throw CLIError(error) }
        }
        let store: CaptureStore
        do { store = try CaptureStore(path: database.db) } catch { throw CLIError(error) }
        StopSignal.install()

        let statusLine = isatty(STDERR_FILENO) == 1
        let mode = promisc ? ", promiscuous" : ""
        printError("capturing on \(interface) (\(capture.linkType), snaplen \(snaplen)\(mode)) into \(database.db); Ctrl-C to stop")
        let result: LiveResult
        // The busiest service ports, read back from the database after each flush.
        var topPorts: [(port: String, packets: Int64)] = [], topPortsAt = 0, announcedAt = 0
        var feed: ClickHouseFeed?, feedState = ClickHouseFeed.State()
        do {
            result = try LiveAnalysis.run(&capture, store: store, options: options) { status, store in
                if let announcer, status.flushes != announcedAt {
                    announcer.flushed(capture: status.captureID)
                    announcedAt = status.flushes
                }
                if let export = clickhouse.export {
                    let current = feed ?? ClickHouseFeed(export, path: database.db, capture: status.captureID)
                    feed = current
                    current.flushed(through: status.flushes)
                    let state = current.state
                    if (state.error == nil) != (feedState.error == nil) {
                        if statusLine { writeError("\r\u{1B}[K") }
                        printError(LiveCommand.describe(state, server: current.server))
                    }
                    feedState = state
                }
                guard statusLine else { return }
                if status.flushes != topPortsAt, let top = try? Reports.services(
                    store, filter: ReportFilter(capture: status.captureID), sort: .packets, registry: options.pipeline.registry) {
                    topPorts = LiveCommand.busiestPorts(top)
                    topPortsAt = status.flushes
                }
                writeError("\r\u{1B}[K" + LiveCommand.describe(status, topPorts: topPorts, clickhouse: feed.map { _ in feedState }))
            }
        } catch {
            if statusLine { writeError("\r\u{1B}[K") }
            throw CLIError("\(error) (packets counted since the last flush were not stored)")
        }
        if statusLine { writeError("\r\u{1B}[K") }
        announcer?.finish(capture: result.captureID)

        let s = result.summary
        let stopped = switch result.stop {
        case .signal: "stopped by signal"
        case .duration: "duration reached"
        case .count: "packet count reached"
        case .error: "capture failed"
        }
        print("capture \(result.captureID): \(interface) (live, \(s.linkTypes.joined(separator: ", "))) \(stopped)")
        printTotals(s, flows: result.flows)
        print("  libpcap: received \(s.received ?? 0), dropped by kernel \(s.droppedByKernel ?? 0), dropped by interface \(s.droppedByInterface ?? 0)")
        var failed = false
        if let damage = s.damage {
            print("  error: \(damage)")
            failed = true
        }
        if let feed {
            let state = feed.finish()
            if let error = state.error {
                print("  error: ClickHouse at \(feed.server): \(error); the capture is kept here: "
                      + "'portscope export --clickhouse URL --capture \(result.captureID)' sends it")
                failed = true
            } else {
                print("  clickhouse: sent to \(feed.server)/\(clickhouse.database) (\(state.rows) rows)")
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// The status line: packets, flows, drops, busiest ports (as `tcp/443`, by packets).
    /// The three busiest service ports of a `services` report sorted by packets, for the status line.
    static func busiestPorts(_ services: Report) -> [(port: String, packets: Int64)] {
        services.rows.prefix(3).map { row in
            guard case .text(let proto) = services.value("proto", in: row), case .int(let port) = services.value("port", in: row),
                  case .int(let packets) = services.value("packets", in: row) else { return ("?", 0) }
            return ("\(proto)/\(port)", packets)
        }
    }

    static func describe(_ status: LiveStatus, topPorts: [(port: String, packets: Int64)], clickhouse: ClickHouseFeed.State? = nil) -> String {
        var line = "\(status.packets) packets, \(status.storedFlows) flows stored, \(status.flowsInMemory) in memory"
        let drops = status.statistics.droppedByKernel + status.statistics.droppedByInterface
        line += drops > 0 ? ", DROPPED \(drops)" : ", no drops"
        if !topPorts.isEmpty {
            line += " | top " + topPorts.map { "\($0.port) \($0.packets)" }.joined(separator: ", ")
        }
        if let error = status.flushError { line += " | flush failed, will retry: \(error)" }
        if let clickhouse {
            line += clickhouse.backlog == 0 ? " | ClickHouse up to date"
                : " | ClickHouse backlog \(clickhouse.backlog) flush\(clickhouse.backlog == 1 ? "" : "es")"
            if let error = clickhouse.error { line += " (\(error))" }
        }
        return line
    }

    /// A line for when sending to ClickHouse starts failing or gets through again.
    static func describe(_ state: ClickHouseFeed.State, server: ClickHouseServer) -> String {
        if let error = state.error {
            return "ClickHouse at \(server): \(error); the local database keeps the backlog (\(state.backlog) "
                + "flush\(state.backlog == 1 ? "" : "es")) until it answers"
        }
        return "ClickHouse at \(server): answering again, backlog sent"
    }
}
