import ArgumentParser
import PortScopeAnalysis

/// Which networks are "ours".
struct LocalNetworksOption: ParsableArguments {
    @Option(name: .customLong("local"), parsing: .singleValue,
            help: ArgumentHelp("A network of ours (CIDR or address; repeat or separate with commas).",
                               discussion: "Default: the private ranges, 10/8, 172.16/12, 192.168/16, link-local, loopback, fc00::/7.",
                               valueName: "cidr"))
    var networks: [String] = []

    func validate() throws {
        for text in values where IPNetwork(text) == nil {
            throw ValidationError("--local: '\(text)' is not a network (10.0.0.0/8, fd00::/8) or an address")
        }
    }

    private var values: [String] { ListOption.values(networks) }

    var local: LocalNetworks { values.isEmpty ? .privateRanges : LocalNetworks(values.compactMap { IPNetwork($0) }) }
}
