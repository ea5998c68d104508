import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The `portscope` command: which services hosts really serve and use, from packets.
public struct PortScopeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "portscope",
        abstract: "Which services do hosts really serve and use? Per-port statistics from packet captures.",
        discussion: """
            Exit status: 0 on success, \(ExitStatus.usage) for a usage error (an unknown command, flag or value), \
            \(ExitStatus.runtime) when the work failed (a file, filter or database).

            Examples:
              portscope analyze capture.pcap           read a capture into portscope.db
              portscope services                       which ports carry what
              portscope hosts 192.168.1.5              what a host serves and uses
              portscope unexpected                     what runs where it should not
              portscope report --html report.html      all of it on one page
            """,
        version: "0.1.0",
        subcommands: [AnalyzeCommand.self, LiveCommand.self, InterfacesCommand.self, CapturesCommand.self, ForgetCommand.self,
                      ServicesCommand.self, FlowsCommand.self, ExportCommand.self,
                      HostsCommand.self, UnexpectedCommand.self, DiffCommand.self, PolicyCommand.self, TimelineCommand.self,
                      ReportCommand.self, ExposureCommand.self, MergeCommand.self]
    )
    public init() {}

    /// Runs the command line with PortScope's error contract: an error is one line on standard
    /// error (`Error: …`), a usage error adds at most a second line naming the `--help` to read,
    /// and the exit status says which kind it was (`ExitStatus`).
    public static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            do { try RepeatedOptions.check(arguments) } catch { throw ValidationError(error.description) }
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)  // the command said what went wrong itself
        } catch {
            let status = exitCode(for: error)
            guard status != .success else { exit(withError: error) }  // --help, --version
            let usage = status == .validationFailure
            var message = usage ? (Self.suggestion(for: arguments) ?? Self.message(for: error)) : "\(error)"
            message = String(message.split(separator: "\n").first ?? "")
            if message.hasPrefix("Error: ") { message.removeFirst(7) }
            printError("Error: \(message)")
            if usage { printError("  See 'portscope \(Self.subcommand(in: arguments).map { "\($0) " } ?? "")--help'.") }
            Glibc.exit(usage ? ExitStatus.usage : ExitStatus.runtime)
        }
    }

    /// The subcommand named on the command line, if one is.
    static func subcommand(in arguments: [String]) -> String? {
        guard let first = arguments.first else { return nil }
        for command in configuration.subcommands where command._commandName == first { return first }
        return nil
    }

    /// For a first word that is no command: the nearest command's name.
    private static func suggestion(for arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), subcommand(in: arguments) == nil else { return nil }
        var names: [String] = []
        for command in configuration.subcommands { names.append(command._commandName) }
        var nearest = names.first ?? ""
        for name in names where editDistance(first, name) < editDistance(first, nearest) { nearest = name }
        if editDistance(first, nearest) <= max(2, nearest.count / 3) {
            return "unknown command '\(first)'; did you mean '\(nearest)'?"
        }
        return "unknown command '\(first)' (commands: \(names.joined(separator: ", ")))"
    }

    /// Levenshtein distance, for suggesting a command.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var distances = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = distances[0]
            distances[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let kept = distances[j]
                distances[j] = min(distances[j] + 1, distances[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = kept
            }
        }
        return a.isEmpty ? b.count : distances[b.count]
    }
}

/// The exit statuses, one per kind of failure (documented in the README and `--help`).
enum ExitStatus {
    /// A usage error: an unknown command, flag or value (BSD's EX_USAGE, as ArgumentParser uses).
    static let usage: Int32 = 64
    /// The work failed: a file that cannot be read, a bad filter, a database refused.
    static let runtime: Int32 = 1
}
