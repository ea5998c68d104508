import ArgumentParser
import PortScopeStore

struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The PortScope database file.")
    var db: String = "portscope.db"

    /// Opens the database read-only and returns what `body` reads from it; its errors (the
    /// store's, a capture reference's) become one-line CLI errors; usage errors stay usage errors.
    /// A report leaves no `-wal`/`-shm` files that were not there before (`CaptureStore.tidy`).
    func read<R>(_ body: (borrowing CaptureStore) throws -> R) throws -> R {
        let hadWAL = CaptureStore.hasWALFiles(db)
        defer { if !hadWAL { CaptureStore.tidy(db) } }
        do {
            let store = try CaptureStore(readingFrom: db)
            return try body(store)
        } catch let error as CLIError {
            throw error
        } catch let error as ValidationError {
            throw error  // a usage error found once the report is known (--columns)
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Prints the report `render` makes from the database.
    func printReport(_ render: (borrowing CaptureStore) throws -> String) throws {
        print(try read(render), terminator: "")
    }
}
