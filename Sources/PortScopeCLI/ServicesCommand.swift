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
        _ = try protocols()
        _ = try ports()
    }

    private func protocols() throws -> [IPProtocol] {
        try ListOption.values(proto).map { text in
            guard let proto = IPProtocol(name: text), proto.hasPorts else {
                throw ValidationError("--proto: '\(text)' is not a protocol with ports (tcp, udp or sctp)")
            }
            return proto
        }
    }

    private func ports() throws -> [UInt16] {
        try ListOption.values(port).map { text in
            guard let port = UInt16(text) else { throw ValidationError("--port: '\(text)' is not a port (0-65535)") }
            return port
        }
    }

    @OptionGroup var captureReference: CaptureReferenceOption

    func run() throws {
        let registry = try servicesFile.registry()
        try database.printReport { store in
            let filter = ReportFilter(captures: try captureReference.selection(in: store).ids, protos: try protocols(), ports: try ports())
            return try Reports.services(store, filter: filter, sort: sort, registry: registry).render(output.format, limit: output.limit)
        }
    }
}
