import ArgumentParser
import PortScopeAnalysis
import PortScopeDecode
import PortScopeReport
import PortScopeStore

/// The flow filters `flows` and `export` share. Each may be repeated or given a comma list,
/// meaning any of the values.
struct FlowFilterOptions: ParsableArguments {
    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("Only flows with this port on either side (repeat or comma list: any).", valueName: "port"))
    var port: [String] = []

    @Option(name: .customLong("server-port"), parsing: .singleValue,
            help: ArgumentHelp("Only flows whose server uses this port (repeat or comma list: any).", valueName: "port"))
    var serverPort: [String] = []

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("Only flows with an end at this address or in this network (CIDR; repeat or comma list: any).",
                               valueName: "addr|cidr"))
    var host: [String] = []

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("Only this protocol: tcp, udp, sctp, icmp, icmpv6, or a number (repeat or comma list: any).",
                               valueName: "proto"))
    var proto: [String] = []

    func validate() throws {
        _ = try filter(captures: nil)
    }

    /// The filter these options make, over `captures` in `window`.
    func filter(captures: [Int64]?, window: TimeWindow = .always) throws -> ReportFilter {
        ReportFilter(captures: captures, protos: try ListOption.protocols(proto, withPorts: false),
                     ports: try ListOption.ports(port, "--port"), serverPorts: try ListOption.ports(serverPort, "--server-port"),
                     hosts: try ListOption.networks(host, "--host"), window: window)
    }
}

/// The service filters `services` and `timeline` share: protocols with ports, and service ports.
struct ServiceFilterOptions: ParsableArguments {
    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("Only this protocol: tcp, udp or sctp (repeat or comma list: any).", valueName: "proto"))
    var proto: [String] = []

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("Only this service port (repeat or comma list: any).", valueName: "port"))
    var port: [String] = []

    func validate() throws {
        _ = try filter(captures: nil)
    }

    /// The filter these options make, over `captures` in `window`.
    func filter(captures: [Int64]?, window: TimeWindow = .always) throws -> ReportFilter {
        ReportFilter(captures: captures, protos: try ListOption.protocols(proto, withPorts: true),
                     ports: try ListOption.ports(port, "--port"), window: window)
    }
}

/// Options that take a list: repeated, or values separated by commas.
enum ListOption {
    static func values(_ given: [String]) -> [String] {
        given.flatMap { $0.split(separator: ",").map { String($0.trimmingPrefix(" ")) } }.filter { !$0.isEmpty }
    }

    /// The ports of a `--port`-like option (`flag` names it in the error).
    static func ports(_ given: [String], _ flag: String) throws -> [UInt16] {
        try values(given).map { text in
            guard let port = UInt16(text) else { throw ValidationError("\(flag): '\(text)' is not a port (0-65535)") }
            return port
        }
    }

    /// The addresses and networks of a `--host`-like option (`flag` names it in the error).
    static func networks(_ given: [String], _ flag: String) throws -> [IPNetwork] {
        try values(given).map { text in
            guard let network = IPNetwork(text) else {
                throw ValidationError("\(flag): '\(text)' is not an IPv4 or IPv6 address or network (10.0.0.0/8)")
            }
            return network
        }
    }

    /// The protocols of `--proto`; `withPorts` admits only those with ports (a report per port).
    static func protocols(_ given: [String], withPorts: Bool) throws -> [IPProtocol] {
        try values(given).map { text in
            guard let proto = IPProtocol(name: text), proto.hasPorts || !withPorts else {
                throw ValidationError(withPorts ? "--proto: '\(text)' is not a protocol with ports (tcp, udp or sctp)"
                                                : "--proto: '\(text)' is not a protocol (tcp, udp, sctp, icmp, icmpv6 or a number)")
            }
            return proto
        }
    }
}
