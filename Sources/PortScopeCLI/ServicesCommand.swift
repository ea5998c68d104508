import ArgumentParser
import PortScopeDecode
import PortScopeReport

struct ServicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "services",
        abstract: "Per service port: packets, bytes, flows, clients and servers, with service names and port class.",
        discussion: """
            Examples:
              portscope services                                 which ports carry what, busiest first
              portscope services --proto udp --sort flows --top 10
              portscope services --capture tuesday.pcap --since 2024-05-01T09:00 --until 2024-05-01T17:00
              portscope services --columns port,service,bytes --exact --format csv
            """)

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
