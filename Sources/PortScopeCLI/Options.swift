import PortScopeAnalysis
import ArgumentParser
import PortScopeIngest
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

    /// Opens the database read-only and returns what `body` reads from it; its errors (the
    /// store's, a capture reference's) become one-line CLI errors.
    func read<R>(_ body: (borrowing CaptureStore) throws -> R) throws -> R {
        do {
            let store = try CaptureStore(readingFrom: db)
            return try body(store)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Prints the report `render` makes from the database.
    func printReport(_ render: (borrowing CaptureStore) throws -> String) throws {
        print(try read(render), terminator: "")
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

/// `--max-flows`: how many flows `analyze` and `live` hold in memory at most.
struct MaxFlowsOption: ParsableArguments {
    @Option(name: .customLong("max-flows"),
            help: ArgumentHelp("Flows held in memory at most (each about 0.5 KiB until stored); beyond it the quarter silent "
                               + "the longest are stored at once (end_reason evicted) and counted.", valueName: "n"))
    var maxFlows = PipelineOptions.defaultMaxFlows

    func validate() throws {
        if maxFlows < 1000 { throw ValidationError("--max-flows must be at least 1000") }
    }
}

struct ServicesFileOption: ParsableArguments {
    @Option(name: .long, help: "A file in /etc/services format whose names override IANA's.")
    var services: String?

    /// IANA's registry, with the user's file laid over it.
    func registry() throws -> ServiceRegistry {
        guard let services else { return .iana }
        do {
            return try ServiceRegistry.iana.overridden(byServicesFile: try readTextFile(services))
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(services): \(error)")
        }
    }
}

/// The whole of a text file (invalid UTF-8 replaced); a one-line error when it cannot be read.
func readTextFile(_ path: String) throws(CLIError) -> String {
    guard let file = fopen(path, "r") else { throw CLIError("\(path): \(String(cString: strerror(errno)))") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    if ferror(file) != 0 { throw CLIError("\(path): read error") }
    return String(decoding: bytes, as: UTF8.self)
}

/// Which networks are "ours".
struct LocalNetworksOption: ParsableArguments {
    @Option(name: .customLong("local"), parsing: .singleValue,
            help: ArgumentHelp("A network of ours (CIDR or address; repeat or separate with commas).",
                               discussion: "Default: the private ranges, 10/8, 172.16/12, 192.168/16, link-local, loopback, fc00::/7.",
                               valueName: "cidr"))
    var networks: [String] = []

    func validate() throws {
        for text in values where IPNetwork(text) == nil {
            throw ValidationError("--local: '\(text)' is not a network (10.0.0.0/8, fd00::/8) or an address")
        }
    }

    private var values: [String] { networks.flatMap { $0.split(separator: ",").map(String.init) } }

    var local: LocalNetworks { values.isEmpty ? .privateRanges : LocalNetworks(values.compactMap { IPNetwork($0) }) }
}

/// A capture named by id or file name.
struct CaptureReferenceOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only this capture: its id or file name (see 'portscope captures').", valueName: "capture"))
    var capture: String?

    /// How reports name the capture `reference` that resolved to `id`.
    static func describe(_ reference: String, id: Int64) -> String {
        reference == String(id) ? "capture \(id)" : "\(reference) (capture \(id))"
    }

    /// How reports name the captures `selection` (made by this option) holds.
    func name(of selection: CaptureSelection) -> String {
        guard let capture, let id = selection.ids?.first else { return "all captures" }
        return Self.describe(capture, id: id)
    }

    /// The selection it makes (all captures without it).
    func selection(in store: borrowing CaptureStore) throws -> CaptureSelection {
        guard let capture else { return .all }
        return CaptureSelection(ids: [try store.captureID(capture)])
    }

    /// The selection, for a report built from flow rows: says on standard error which selected
    /// captures have none (`analyze --no-flows`), so an empty report is not taken for no traffic.
    func flowSelection(in store: borrowing CaptureStore) throws -> CaptureSelection {
        let selection = try selection(in: store)
        noteCapturesWithoutFlowRows(selection, in: store)
        return selection
    }
}

/// Notes on standard error the captures of `selection` stored without flow rows.
func noteCapturesWithoutFlowRows(_ selection: CaptureSelection, in store: borrowing CaptureStore) {
    guard let ids = try? selection.withoutFlowRows(in: store), !ids.isEmpty else { return }
    let list = ids.map(String.init).joined(separator: ", ")
    printError("note: capture\(ids.count == 1 ? "" : "s") \(list) analyzed with --no-flows: no flow rows, so not in this report (services has their traffic)")
}

extension OutputFormat: ExpressibleByArgument {}
extension ServiceSort: ExpressibleByArgument {}

extension IPProtocol: ExpressibleByArgument {
    public init?(argument: String) {
        guard let proto = IPProtocol(name: argument), proto.hasPorts else { return nil }
        self = proto
    }
}

/// Writes all of `text` to `fd`, however the kernel splits it; false on an error (see errno).
func writeAll(_ fd: Int32, _ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}

/// Writes `text` to standard error as is.
func writeError(_ text: String) {
    _ = writeAll(STDERR_FILENO, text)
}

/// Writes a line to standard error.
func printError(_ text: String) {
    writeError(text + "\n")
}
