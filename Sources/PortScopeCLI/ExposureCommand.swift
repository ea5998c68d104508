import ArgumentParser
import PortScopeAnalysis
import PortScopeReport
import PortScopeStore

struct ExposureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exposure",
        abstract: "The capturing host's listening sockets with what the capture saw on them, and its ports tried with nothing listening.",
        discussion: """
            From 'live' on Linux, which reads the host's socket tables (/proc/net) and the process holding each \
            socket at the start and at every flush. A listener is 'used' when established traffic reached it \
            (clients in the local networks and outside them counted apart), 'unused' when none did; a port of \
            the host that received connection attempts with nothing listening is 'no_listener'. What could \
            not be read (another user's processes without root, no /proc) is said on standard error, never \
            guessed; captures read from files have no host view.

            Examples:
              portscope exposure                                  every live capture's listeners
              portscope exposure --capture 3 --format json
              portscope unexpected --capture 3                    unused_listener and external_exposure findings
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var timeWindow: TimeWindowOption
    @OptionGroup var localNetworks: LocalNetworksOption

    func run() throws {
        try database.printReport { store in
            let captures = try timeWindow.applied(to: try captureReference.flowSelection(in: store), in: store)
            let exposure = try Exposure(store, captures: captures, local: localNetworks.local)
            if !exposure.capturesWithoutHost.isEmpty {
                let ids = exposure.capturesWithoutHost.map(String.init).joined(separator: ", ")
                printError("note: capture\(exposure.capturesWithoutHost.count == 1 ? "" : "s") \(ids) did not read the host's sockets "
                           + "(only 'live' on Linux does): not in this report")
            }
            for (capture, text) in exposure.unreadable.sorted(by: { $0.key < $1.key }) {
                printError("note: capture \(capture) could not read everything: \(text)")
            }
            return try output.render(Reports.exposure(exposure))
        }
    }
}
