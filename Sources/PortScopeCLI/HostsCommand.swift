import ArgumentParser
import PortScopeReport

struct HostsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts",
        abstract: "Per host: the services it serves (clients, traffic each way) and the services it uses.")

    @Argument(help: ArgumentHelp("Only these hosts: addresses or networks (CIDR).", valueName: "addr|cidr"))
    var hosts: [String] = []

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var localNetworks: LocalNetworksOption
    @OptionGroup var servicesFile: ServicesFileOption

    @Flag(name: .customLong("local-only"), help: "Only local hosts (see --local).")
    var localOnly = false

    @Flag(name: .long, help: "Add how the server side of each row's flows was decided.")
    var explain = false

    func validate() throws {
        for host in hosts where IPNetwork(host) == nil {
            throw ValidationError("'\(host)' is not an address or a network (10.0.0.0/8, fd00::/8)")
        }
    }

    func run() throws {
        let registry = try servicesFile.registry()
        let selection = HostSelection(networks: hosts.isEmpty ? nil : hosts.compactMap { IPNetwork($0) }, localOnly: localOnly)
        try database.printReport { store in
            try Reports.hosts(store, captures: try captureReference.selection(in: store), hosts: selection,
                              local: localNetworks.local, explain: explain, registry: registry)
                .render(output.format, limit: output.limit)
        }
    }
}

struct UnexpectedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unexpected",
        abstract: "What runs where it should not: scans, services on uncommon ports, service ports used as source ports, "
            + "and with --policy or --baseline, what breaks the policy or changed.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var localNetworks: LocalNetworksOption
    @OptionGroup var servicesFile: ServicesFileOption

    @Option(name: .long, help: ArgumentHelp("Judge local hosts against this policy file ('portscope policy init' drafts one).", valueName: "file"))
    var policy: String?

    @Option(name: .long, help: ArgumentHelp("Report local services that appeared or vanished since this capture (id or file name); "
                                            + "without --capture, every other capture is compared with it.", valueName: "capture"))
    var baseline: String?

    @Option(name: .customLong("scan-threshold"), help: "Probed targets (host and port) that make a source a scanner.")
    var scanThreshold = 20

    @Option(name: .customLong("min-severity"), help: "Only findings of this severity or higher: high, medium, low.")
    var minSeverity: Severity = .low

    @Flag(name: .long, help: "Add the rule that fired and how the server side of the flows was decided.")
    var explain = false

    func validate() throws {
        if scanThreshold < 2 { throw ValidationError("--scan-threshold must be at least 2") }
    }

    func run() throws {
        var options = FindingOptions(local: localNetworks.local, scanThreshold: scanThreshold,
                                     registry: try servicesFile.registry())
        if let policy { options.policy = try readPolicy(policy) }
        try database.printReport { store in
            var captures = try captureReference.selection(in: store)
            if let baseline {
                let id = try Reports.captureID(baseline, in: store)
                options.baseline = (id, CaptureReferenceOption.describe(baseline, id: id))
                if captureReference.capture == nil { captures = try CaptureSelection.allExcept(id, in: store) }
            }
            let findings = try Reports.findings(store, captures: captures, options: options).filter { $0.severity >= minSeverity }
            return Reports.unexpected(findings, explain: explain).render(output.format, limit: output.limit)
        }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "How the service inventory changed between two captures: services added and removed.")

    @Argument(help: ArgumentHelp("The earlier capture: id or file name.", valueName: "a"))
    var a: String

    @Argument(help: ArgumentHelp("The later capture: id or file name.", valueName: "b"))
    var b: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var localNetworks: LocalNetworksOption
    @OptionGroup var servicesFile: ServicesFileOption

    @Flag(name: .customLong("local-only"), help: "Only services of local hosts (see --local).")
    var localOnly = false

    @Flag(name: .long, help: "Also list the services both captures have (change 'kept').")
    var all = false

    func run() throws {
        let registry = try servicesFile.registry()
        try database.printReport { store in
            try Reports.diff(store, from: try Reports.captureID(a, in: store), to: try Reports.captureID(b, in: store),
                             all: all, hosts: HostSelection(localOnly: localOnly), local: localNetworks.local, registry: registry)
                .render(output.format, limit: output.limit)
        }
    }
}

extension Severity: ExpressibleByArgument {}
