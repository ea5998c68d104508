import ArgumentParser
import PortScopeAnalysis
import PortScopeReport

#if canImport(Glibc)
import Glibc
#endif

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Draft a policy file from what captures show, or check one.",
        discussion: """
            Examples:
              portscope policy init --capture monday.pcap -o policy.txt
              portscope policy check policy.txt
              portscope unexpected --policy policy.txt
            """,
        subcommands: [PolicyInitCommand.self, PolicyCheckCommand.self])
}

struct PolicyInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a policy that allows what the local hosts served and used, to edit.",
        discussion: """
            Examples:
              portscope policy init -o policy.txt                from every capture
              portscope policy init --capture monday.pcap --local 10.0.0.0/8 -o policy.txt
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var localNetworks: LocalNetworksOption

    @Option(name: [.short, .long], help: ArgumentHelp("Write it to this new file (default: standard output).", valueName: "file"))
    var output: String?

    func run() throws {
        let text = try database.read { store in
            let captures = try captureReference.flowSelection(in: store)
            return Policy.draft(from: try ServiceTraffic(store, captures: captures), local: localNetworks.local,
                                captures: captureReference.name(of: captures))
        }
        guard let output else { return print(text, terminator: "") }
        // O_EXCL: an existing file (an edited policy) is never overwritten.
        let fd = open(output, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw CLIError("\(output): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard writeAll(fd, text) else { throw CLIError("\(output): \(String(cString: strerror(errno)))") }
        printError("policy written to \(output)")
    }
}

struct PolicyCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Read a policy file and say whether it is valid.",
        discussion: """
            Examples:
              portscope policy check policy.txt
            """)

    @Argument(help: ArgumentHelp("The policy file.", valueName: "file"))
    var file: String

    func run() throws {
        let policy = try readPolicy(file)
        let serves = policy.rules.filter { $0.verb == .serve }.count
        print("\(file): \(policy.rules.count) rules (\(serves) serve, \(policy.rules.count - serves) use)"
              + (policy.silences.isEmpty ? "" : ", \(policy.silences.count) ignore"))
    }
}

/// The policy in `path`; a one-line error naming the line when it is not valid.
func readPolicy(_ path: String) throws(CLIError) -> Policy {
    let text = try readTextFile(path)
    do { return try Policy(parsing: text, file: path) } catch { throw CLIError(error.description) }
}
