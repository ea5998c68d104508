import ArgumentParser
import PortScopeAnalysis
import PortScopeReport
import PortScopeStore

struct UnexpectedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unexpected",
        abstract: "What runs where it should not: scans, services on uncommon ports, protocols on ports where they do not "
            + "belong, service ports used as source ports, and with --policy or --baseline, what breaks the policy or changed.",
        discussion: """
            Examples:
              portscope unexpected                               every capture, most severe first
              portscope unexpected --capture tuesday.pcap --baseline monday.pcap
              portscope unexpected --policy policy.txt --min-severity high --format json
              portscope unexpected --ignore ssh@tcp/2222 --explain
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var timeWindow: TimeWindowOption
    @OptionGroup var localNetworks: LocalNetworksOption
    @OptionGroup var servicesFile: ServicesFileOption

    @OptionGroup var judgement: JudgementOptions

    @Option(name: .customLong("scan-threshold"), help: "Probed targets (host and port) that make a source a scanner.")
    var scanThreshold = 20

    @Option(name: .customLong("ignore"),
            help: ArgumentHelp("Allow an application protocol on ports: PROTOCOL@SERVICE, e.g. ssh@tcp/2222, http@tcp/8000-8999, "
                               + "*@udp/4500, unknown@tcp/443 (repeatable).", valueName: "app@service"))
    var ignore: [String] = []

    @Option(name: .customLong("min-severity"), help: "Only findings of this severity or higher: high, medium, low.")
    var minSeverity: Severity = .low

    @Flag(name: .long, help: "Add the rule that fired and how the server side of the flows was decided; also list the findings the policy's ignore lines silence, with the line that does.")
    var explain = false

    func validate() throws {
        if scanThreshold < 2 { throw ValidationError("--scan-threshold must be at least 2") }
        for rule in ignore where allowance(rule) == nil {
            throw ValidationError("--ignore '\(rule)': expected PROTOCOL@SERVICE, e.g. ssh@tcp/2222 "
                                  + "(PROTOCOL: one PortScope detects, unknown or *; SERVICE: tcp/443, udp/5000-5100, tcp/*)")
        }
    }

    private func allowance(_ text: String) -> Policy.Ports? {
        guard let ports = Policy.Ports(text, app: true), ports.app != nil else { return nil }
        return ports
    }

    func run() throws {
        var options = FindingOptions(local: localNetworks.local, scanThreshold: scanThreshold,
                                     registry: try servicesFile.registry())
        options.allowances = ignore.compactMap(allowance)
        try judgement.load(into: &options)
        try database.printReport { store in
            var captures = try captureReference.selection(in: store)
            try judgement.apply(to: &options, captures: &captures, reference: captureReference, in: store)
            captures = try timeWindow.applied(to: captures, in: store)
            let baselineIDs = options.baseline.map { [$0.id] } ?? []
            noteCapturesWithoutFlowRows(CaptureSelection(ids: captures.ids.map { $0 + baselineIDs }), in: store)
            // Findings the policy silences are shown only with --explain, saying which line silenced them.
            let findings = try Findings.find(store, captures: captures, options: options)
                .filter { $0.severity >= minSeverity && (explain || $0.silencedBy == nil) }
            return try output.render(Reports.unexpected(findings, explain: explain, brief: output.format == .table && !output.wide))
        }
    }
}

extension Severity: ExpressibleByArgument {}
