/// Options given more than once. ArgumentParser keeps only the last value of a single-valued
/// option, so `--db a.db --db b.db` would silently read `b.db`; such a repeat is refused. The
/// options that take a list (repeated or comma separated, meaning any of the values) may repeat.
enum RepeatedOptions {
    /// The options that take lists, by their long name.
    static let lists: Set<String> = ["--port", "--server-port", "--host", "--proto", "--capture", "--local", "--ignore"]

    /// Throws a usage error naming the first single-valued option given twice.
    static func check(_ arguments: [String]) throws(RepeatedOptionError) {
        var seen: Set<String> = []
        for argument in arguments {
            if argument == "--" { return }  // what follows is operands
            guard argument.hasPrefix("-"), argument.count > 1, !argument.dropFirst().allSatisfy(\.isNumber) else { continue }
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            guard !lists.contains(name) else { continue }
            if !seen.insert(name).inserted { throw RepeatedOptionError(option: name) }
        }
    }
}

/// A single-valued option given more than once.
struct RepeatedOptionError: Error, CustomStringConvertible {
    var option: String
    var description: String { "\(option) given more than once; it takes one value" }
}
