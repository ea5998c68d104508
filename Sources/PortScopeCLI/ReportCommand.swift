import ArgumentParser
import PortScopeAnalysis
import PortScopeReport
import PortScopeStore
#if canImport(Glibc)
import Glibc
#endif

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "One self-contained HTML page: summary, top services, traffic over time, who serves what, findings, changes.",
        discussion: """
            The page fetches nothing (no script, font or style from anywhere; its charts are inline SVG) and reads and \
            prints without JavaScript. It covers the captures and time chosen; --baseline adds the services added and \
            removed since that capture and the findings that go with them, --policy the policy's findings.

            Examples:
              portscope report --html week.html
              portscope report --html tuesday.html --capture office-tuesday.pcap --baseline office-monday.pcap
              portscope report --html last-hour.html --since 1h --policy policy.txt
            """)

    @Option(name: .long, help: ArgumentHelp("Write the page to this file (replaced if it exists; - for standard output).",
                                            valueName: "file"))
    var html: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var timeWindow: TimeWindowOption
    @OptionGroup var judgement: JudgementOptions
    @OptionGroup var localNetworks: LocalNetworksOption
    @OptionGroup var servicesFile: ServicesFileOption

    @Option(name: .long, help: "Services in the bar chart and the table.")
    var top = 10

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1") }
        if html.isEmpty { throw ValidationError("--html: name a file") }
    }

    func run() throws {
        let registry = try servicesFile.registry()
        var options = FindingOptions(local: localNetworks.local, registry: registry)
        try judgement.load(into: &options)
        let page = try database.read { store in
            var captures = try captureReference.flowSelection(in: store)
            try judgement.apply(to: &options, captures: &captures, reference: captureReference, in: store)
            captures = try timeWindow.applied(to: captures, in: store)
            let filter = ReportFilter(captures: captures.ids, window: captures.window)
            let services = try Reports.services(store, filter: filter, sort: .bytes, registry: registry)
            let timeline = try Timeline(store, filter: filter, width: nil)
            let ids = captures.ids.map(Set.init)
            let all = try Reports.captures(store)
            let covered = all.keeping { row in ids?.contains(all.value("id", in: row).int) ?? true }
            var changes: (baseline: String, changes: [ServiceChange])?
            if let baseline = options.baseline {
                let before = try timeWindow.applied(to: CaptureSelection(ids: [baseline.id]), in: store)
                changes = (baseline.name, try ServiceChanges.between(store, before, captures, all: false, hosts: HostSelection(localOnly: true),
                                                                     local: options.local))
            }
            var report = HTMLReport(
                scope: scope(captures), generated: Int64(time(nil)) * 1_000_000_000, captures: covered, services: services,
                timeline: timeline, hosts: try HostView.lines(store, captures: captures, hosts: HostSelection(), local: options.local),
                findings: try Findings.find(store, captures: captures, options: options).filter { $0.silencedBy == nil },
                changes: changes, registry: registry, bucketName: TimeSpan(nanoseconds: timeline.width).defaultValueDescription)
            report.topServices = top
            return report.render()
        }
        guard html != "-" else { return print(page, terminator: "") }
        try replaceFile(html, with: page)
        printError("report written to \(html)")
    }

    /// The captures and time covered, in words.
    private func scope(_ captures: CaptureSelection) -> String {
        var text = captureReference.given.isEmpty && captures.ids != nil
            ? "captures " + captures.ids!.map(String.init).joined(separator: ", ") : captureReference.name(of: captures)
        if let since = captures.window.since { text += ", since \(formatTimestamp(since))" }
        if let until = captures.window.until { text += ", until \(formatTimestamp(until))" }
        return text
    }
}

/// Writes `text` to `path` whole or not at all: into a new file beside it, then renamed over it.
func replaceFile(_ path: String, with text: String) throws(CLIError) {
    let temporary = "\(path).\(getpid()).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw CLIError("\(path): \(String(cString: strerror(errno)))") }
    let written = writeAll(fd, text)
    let failure = errno
    close(fd)
    guard written, rename(temporary, path) == 0 else {
        let message = String(cString: strerror(written ? errno : failure))
        unlink(temporary)
        throw CLIError("\(path): \(message)")
    }
}
