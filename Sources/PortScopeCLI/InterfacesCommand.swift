import ArgumentParser
import PortScopeCapture
import PortScopeReport

struct InterfacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interfaces",
        abstract: "List the interfaces 'live' can capture on, with their flags and addresses.",
        discussion: """
            Examples:
              portscope interfaces
              portscope interfaces --format json
            """)

    @OptionGroup var output: OutputOptions

    func run() throws {
        let interfaces: [CaptureInterface]
        do { interfaces = try CaptureInterface.all() } catch { throw CLIError(error) }
        let report = Reports.interfaces(interfaces)
        print(try output.render(report, limit: output.top), terminator: "")
    }
}
