import ArgumentParser
import PortScopeReport
import PortScopeStore

struct CapturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "captures", abstract: "List the captures the database holds.",
        discussion: """
            Examples:
              portscope captures                                 id, file, size, status, first packet
              portscope captures --wide                          every column: SHA-256, filter, damage, notes, …
              portscope captures --format json | jq '.[] | select(.status != "complete")'
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try database.printReport { store in
            try output.render(Reports.captures(store))
        }
    }
}
