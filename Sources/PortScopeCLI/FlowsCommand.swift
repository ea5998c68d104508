import ArgumentParser
import PortScopeDecode
import PortScopeFlows
import PortScopeReport

struct FlowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract: "Flows, largest first, with each one's server and how it was decided.",
        discussion: """
            Examples:
              portscope flows --server-port 8443 --sort time      when each 8443 connection began
              portscope flows --host 192.168.1.5 --wide           every column of a host's flows
              portscope flows --ja4 t13d1516h2 --format csv       the clients with this TLS fingerprint
              portscope flows --community-id '1:LQU9qZlK+B5F3KDmev6m5PMibrg='
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var servicesFile: ServicesFileOption

    @OptionGroup var flowFilter: FlowFilterOptions

    @Option(name: .customLong("community-id"), help: ArgumentHelp("Only the flows with this Community ID (1:…, as Zeek, "
                                                                  + "Suricata or Elastic show it).", valueName: "id"))
    var communityID: String?

    @Option(name: .long, help: ArgumentHelp("Only the TLS flows with this JA4 client fingerprint (t13d1516h2_8daaf6152771_e5627efa2ab1), "
                                            + "or with this part of one (t13d1516h2, or one of its 12-digit hashes).", valueName: "fingerprint"))
    var ja4: String?

    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var timeWindow: TimeWindowOption

    @Option(name: .long, help: "Order by bytes (largest first) or time (first packet first).")
    var sort: FlowSort = .bytes

    func validate() throws {
        if let communityID, !communityID.hasPrefix("1:") || communityID.count != 30 {
            throw ValidationError("--community-id: '\(communityID)' is not a version 1 Community ID (1: and 28 base64 characters)")
        }
        if let ja4, !JA4Text.isFingerprintOrPart(ja4) {
            throw ValidationError("--ja4: '\(ja4)' is not a JA4 fingerprint (like t13d1516h2_8daaf6152771_e5627efa2ab1) or one of its parts")
        }
    }

    func run() throws {
        let registry = try servicesFile.registry()
        try database.printReport { store in
            let captures = try timeWindow.applied(to: try captureReference.flowSelection(in: store), in: store)
            let filter = try flowFilter.filter(captures: captures.ids, window: captures.window)
            return try output.render(Reports.flows(store, filter: filter, communityID: communityID, ja4: ja4, sort: sort, registry: registry))
        }
    }
}
