import ArgumentParser
import PortScopeReport
import PortScopeStore

struct CapturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "captures", abstract: "List the captures the database holds.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try database.printReport { store in
            try output.render(Reports.captures(store))
        }
    }
}
