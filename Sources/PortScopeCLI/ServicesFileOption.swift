import ArgumentParser
import PortScopeFlows

#if canImport(Glibc)
import Glibc
#endif

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
