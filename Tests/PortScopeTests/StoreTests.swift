import Foundation
import PortScopeStore
import Testing

struct StoreTests {
    @Test func migrationsSetTheSchemaVersionAndWAL() throws {
        let dir = TemporaryDirectory()
        _ = try CaptureStore(path: dir.file("a.db"))
        let db = try Database(path: dir.file("a.db"))
        #expect(try db.userVersion() == 2)
        var mode = try db.prepare("PRAGMA journal_mode")
        #expect(try mode.step() && mode.text(0) == "wal")
    }

    @Test func newerSchemaIsRefused() throws {
        let dir = TemporaryDirectory()
        _ = try CaptureStore(path: dir.file("a.db"))
        try Database(path: dir.file("a.db")).execute("PRAGMA user_version = 99")
        #expect(throws: StoreError.self) { _ = try CaptureStore(path: dir.file("a.db")) }
        #expect(throws: StoreError.self) { _ = try CaptureStore(readingFrom: dir.file("a.db")) }
    }

    @Test func foreignDatabaseIsLeftAlone() throws {
        let dir = TemporaryDirectory()
        try Database(path: dir.file("other.db")).execute("CREATE TABLE mine (x); INSERT INTO mine VALUES (1)")
        #expect(throws: StoreError.self) { _ = try CaptureStore(path: dir.file("other.db")) }
        var count = try Database(path: dir.file("other.db")).prepare("SELECT count(*) FROM sqlite_master")
        #expect(try count.step() && count.int(0) == 1)
    }

    @Test func failedTransactionRollsBack() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("t.db"))
        try db.execute("CREATE TABLE t (x INTEGER NOT NULL)")
        struct Boom: Error {}
        #expect(throws: TransactionError<Boom>.self) {
            try db.transaction { () throws(Boom) in
                try? db.execute("INSERT INTO t VALUES (1)")
                throw Boom()
            }
        }
        var count = try db.prepare("SELECT count(*) FROM t")
        #expect(try count.step() && count.int(0) == 0)
    }
}
