import ArgumentParser
import PortScopeAnalysis
import PortScopeDecode
import PortScopeReport

struct HostsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts",
        abstract: "Per host: the services it serves (clients, traffic each way) and the services it uses.",
        discussion: """
            Examples:
              portscope hosts 192.168.1.5                        what one host serves and uses
              portscope hosts 10.1.0.0/16 --local-only --each     a network, a row per server used
              portscope hosts --explain --format json            with how each server side was decided
            """)

    @Argument(help: ArgumentHelp("Only these hosts: addresses or networks (CIDR).", valueName: "addr|cidr"))
    var hosts: [String] = []

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var timeWindow: TimeWindowOption
    @OptionGroup var localNetworks: LocalNetworksOption
    @OptionGroup var servicesFile: ServicesFileOption

    @Flag(name: .customLong("local-only"), help: "Only local hosts (see --local).")
    var localOnly = false

    @Flag(name: .long, help: "Add how the server side of each row's flows was decided.")
    var explain = false

    @Flag(name: .long, help: "Tables: a row per server used, not one per service (JSON and CSV always have a row per server).")
    var each = false

    func validate() throws {
        for host in hosts where IPNetwork(host) == nil {
            throw ValidationError("'\(host)' is not an address or a network (10.0.0.0/8, fd00::/8)")
        }
    }

    func run() throws {
        let registry = try servicesFile.registry()
        let selection = HostSelection(networks: hosts.isEmpty ? nil : hosts.compactMap { IPNetwork($0) }, localOnly: localOnly)
        try database.printReport { store in
            let captures = try timeWindow.applied(to: try captureReference.flowSelection(in: store), in: store)
            let lines = try HostView.lines(store, captures: captures, hosts: selection,
                                           local: localNetworks.local)
            let summary = output.format == .table && !each
            let text = try output.render(Reports.hosts(summary ? HostView.summarised(lines) : lines, explain: explain,
                                                       summary: summary, registry: registry))
            // Tables end with what they left out; JSON and CSV stay rows only.
            guard output.format == .table, !lines.isEmpty else { return text }
            var listed: [IPAddress] = []
            for line in lines.prefix(output.limit ?? .max) where listed.last != line.host { listed.append(line.host) }
            let leftOut = try HostLeftOut(store, captures: captures, hosts: listed)
            return text + (Reports.hostsLeftOut(leftOut, hosts: listed.count) ?? "")
        }
    }
}
