import ArgumentParser
import PortScopeDecode
import PortScopeFlows
import PortScopeReport
import PortScopeStore

#if canImport(Glibc)
import Glibc
#endif

/// A failure reported as one line on stderr with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
    init(_ error: some CustomStringConvertible) { description = error.description }
}

struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The PortScope database file.")
    var db: String = "portscope.db"

    /// Opens the database read-only and prints what `render` makes of it; store errors
    /// become one-line CLI errors.
    func printReport(_ render: (borrowing CaptureStore) throws(StoreError) -> String) throws {
        do {
            let store = try CaptureStore(readingFrom: db)
            print(try render(store), terminator: "")
        } catch {
            throw CLIError(error)
        }
    }
}

struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    @Option(name: .long, help: "Show only the first N rows (tables default to 25; JSON and CSV print every row).")
    var top: Int?

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
    }

    var limit: Int? { top ?? (format == .table ? 25 : nil) }
}

struct ServicesFileOption: ParsableArguments {
    @Option(name: .long, help: "A file in /etc/services format whose names override IANA's.")
    var services: String?

    /// IANA's registry, with the user's file laid over it.
    func registry() throws -> ServiceRegistry {
        guard let services else { return .iana }
        guard let file = fopen(services, "r") else {
            throw CLIError("\(services): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        do {
            return try ServiceRegistry.iana.overridden(byServicesFile: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw CLIError("\(services): \(error)")
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension ServiceSort: ExpressibleByArgument {}

extension IPProtocol: ExpressibleByArgument {
    public init?(argument: String) {
        guard let proto = IPProtocol(name: argument), proto.hasPorts else { return nil }
        self = proto
    }
}

/// Writes `text` to standard error as is.
func writeError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    writeError(text + "\n")
}
