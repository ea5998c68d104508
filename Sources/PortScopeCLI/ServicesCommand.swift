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

    @Option(name: .long, help: "Only this protocol: tcp, udp or sctp.")
    var proto: IPProtocol?

    @OptionGroup var captureReference: CaptureReferenceOption

    func run() throws {
        let registry = try servicesFile.registry()
        try database.printReport { store in
            let filter = ReportFilter(capture: try captureReference.selection(in: store).ids?.first, proto: proto)
            return try Reports.services(store, filter: filter, sort: sort, registry: registry).render(output.format, limit: output.limit)
        }
    }
}
