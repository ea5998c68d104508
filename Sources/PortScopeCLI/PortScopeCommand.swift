import ArgumentParser

/// The `portscope` command: which services hosts really serve and use, from packets.
public struct PortScopeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "portscope",
        abstract: "Which services do hosts really serve and use? Per-port statistics from packet captures.",
        version: "0.1.0",
        subcommands: [AnalyzeCommand.self, LiveCommand.self, InterfacesCommand.self, CapturesCommand.self, ForgetCommand.self,
                      ServicesCommand.self, FlowsCommand.self, ExportCommand.self,
                      HostsCommand.self, UnexpectedCommand.self, DiffCommand.self, PolicyCommand.self]
    )
    public init() {}
}
