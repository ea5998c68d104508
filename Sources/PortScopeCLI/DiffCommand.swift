import ArgumentParser
import PortScopeAnalysis
import PortScopeReport
import PortScopeStore

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "How the service inventory changed between two captures: services added and removed.",
        discussion: """
            Examples:
              portscope diff monday.pcap tuesday.pcap             local services added and removed
              portscope diff 1 2 --all --all-hosts                also the unchanged ones, and outside hosts'
              portscope diff 1 2 --since 1h                       the last hour of each
            """)

    @Argument(help: ArgumentHelp("The earlier capture: id or file name.", valueName: "a"))
    var a: String

    @Argument(help: ArgumentHelp("The later capture: id or file name.", valueName: "b"))
    var b: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var localNetworks: LocalNetworksOption
    @OptionGroup var servicesFile: ServicesFileOption
    @OptionGroup var timeWindow: TimeWindowOption

    @Flag(name: .customLong("all-hosts"),
          help: "Also the services of hosts outside the local networks (by default only local hosts are judged, as 'unexpected --baseline' judges them).")
    var allHosts = false

    @Flag(name: .long, help: "Also list the services both captures have (change 'kept').")
    var all = false

    func run() throws {
        let registry = try servicesFile.registry()
        try database.printReport { store in
            let from = try store.captureID(a), to = try store.captureID(b)
            noteCapturesWithoutFlowRows(CaptureSelection(ids: [from, to]), in: store)
            // A span back (--since 1h) counts from each capture's own latest packet: the last hour of each.
            let before = try timeWindow.applied(to: CaptureSelection(ids: [from]), in: store)
            let after = try timeWindow.applied(to: CaptureSelection(ids: [to]), in: store)
            let changes = try ServiceChanges.between(store, before, after, all: all, hosts: HostSelection(localOnly: !allHosts),
                                                     local: localNetworks.local)
            return try output.render(Reports.diff(changes, registry: registry))
        }
    }
}
