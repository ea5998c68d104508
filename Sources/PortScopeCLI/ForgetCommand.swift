import ArgumentParser
import PortScopeStore

struct ForgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Remove captures from the database, with everything derived from them.",
        discussion: """
            Captures are named as everywhere (id, path, file name, name). All are removed in one transaction, or \
            none: a name that matches no capture, or several, changes nothing.

            Examples:
              portscope forget 3
              portscope forget monday.pcap tuesday.pcap
            """
    )

    @Argument(help: "The captures to remove.")
    var captures: [String]

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        do {
            // Read first: a database that is not there is an error, not a new empty file.
            let ids = try CaptureStore(readingFrom: database.db).resolve(captures)
            try CaptureStore(path: database.db).forget(ids)
            print("forgot \(ids.count == 1 ? "capture" : "captures") \(ids.map(String.init).joined(separator: ", "))")
        } catch let error as StoreError {
            throw CLIError(error)
        } catch let error as CaptureReferenceError {
            throw CLIError(error)
        }
    }
}

extension CaptureStore {
    /// The ids of the captures `references` name, each once.
    fileprivate func resolve(_ references: [String]) throws -> [Int64] {
        var ids: [Int64] = []
        for reference in references {
            let id = try captureID(reference)
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }
}
