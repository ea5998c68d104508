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

    @OptionGroup var services: ServiceFilterOptions
    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var timeWindow: TimeWindowOption

    func run() throws {
        let registry = try servicesFile.registry()
        try database.printReport { store in
            let captures = try timeWindow.applied(to: try captureReference.selection(in: store), in: store)
            let filter = try services.filter(captures: captures.ids, window: captures.window)
            return try output.render(Reports.services(store, filter: filter, sort: sort, registry: registry))
        }
    }
}
