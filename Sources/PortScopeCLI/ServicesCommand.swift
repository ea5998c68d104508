import ArgumentParser
import PortScopeDecode
import PortScopeReport

struct ServicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "services",
        abstract: "Per service port: packets, bytes, flows, clients and servers, with service names and port class.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var servicesFile: ServicesFileOption

    @Option(name: .long, help: "Order by bytes, packets or flows.")
    var sort: ServiceSort = .bytes

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("Only this protocol: tcp, udp or sctp (repeat or comma list: any).", valueName: "proto"))
    var proto: [String] = []

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("Only this service port (repeat or comma list: any).", valueName: "port"))
    var port: [String] = []

    func validate() throws {
        _ = try ListOption.protocols(proto, withPorts: true)
        _ = try ListOption.ports(port, "--port")
    }

    @OptionGroup var captureReference: CaptureReferenceOption

    func run() throws {
        let registry = try servicesFile.registry()
        try database.printReport { store in
            let filter = ReportFilter(captures: try captureReference.selection(in: store).ids, protos: try ListOption.protocols(proto, withPorts: true),
                                      ports: try ListOption.ports(port, "--port"))
            return try Reports.services(store, filter: filter, sort: sort, registry: registry).render(output.format, limit: output.limit)
        }
    }
}
