import ArgumentParser
import PortScopeStore
#if canImport(Glibc)
import Glibc
#endif

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Copy the captures of other PortScope databases into this one.",
        discussion: """
            Each source is copied in one transaction, in the order given: its captures get new ids, keep their \
            sensor and everything stored from them, and a capture already in the database (the same file and \
            filter, or the same live run) is skipped. A source of an older schema is migrated first, as any \
            report would; one of a newer PortScope is refused. Sources before a failing one stay merged.

            Examples:
              portscope merge sensor-a.db sensor-b.db --db fleet.db
              portscope merge /mnt/archive/*.db --db all.db
            """)

    @Argument(help: ArgumentHelp("PortScope databases to copy from.", valueName: "source"))
    var sources: [String]

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if sources.isEmpty { throw ValidationError("name at least one source database") }
    }

    func run() throws {
        // Every source readable as a PortScope database before the one merged into is opened (or created).
        for source in sources {
            do { _ = try CaptureStore(readingFrom: source) } catch { throw CLIError(error) }
        }
        let store: CaptureStore
        do { store = try CaptureStore(path: database.db) } catch { throw CLIError(error) }
        for source in sources {
            guard realPath(source) != realPath(database.db) else { throw CLIError("\(source): is the database merged into") }
            let result: MergeResult
            do { result = try store.merge(from: source) } catch { throw CLIError(error) }
            let added = result.added.map { "\($0.from)→\($0.to)" }.joined(separator: ", ")
            let skipped = result.skipped.map { "\($0.from) (as \($0.existing))" }.joined(separator: ", ")
            print("\(source): \(result.added.count) capture\(result.added.count == 1 ? "" : "s") added" + (added.isEmpty ? "" : " (\(added))")
                  + (result.skipped.isEmpty ? "" : ", \(result.skipped.count) already here: \(skipped)"))
        }
    }
}

/// The absolute path of an existing file with links resolved, or the path as given.
private func realPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}
