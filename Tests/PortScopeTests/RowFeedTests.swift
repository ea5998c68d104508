import PortScopeSQLite
import Testing

/// `portscope_feed`: rows made by Swift, read by one SQL statement as a table.
struct RowFeedTests {
    /// The rows fed: an integer, a text (empty, multi-byte, larger than the row's text block of
    /// 16 KiB, so stored apart), a column left unset (null), and the row's position.
    static let texts = ["", "a", "ü→✓", String(repeating: "x", count: 40_000), String(repeating: "y", count: 17_000), "end"]

    let dir = TemporaryDirectory()  // one per test: Swift Testing makes an instance for each

    func database() throws -> Database {
        let db = try Database(path: dir.file("feed.db"))
        try db.execute("CREATE TABLE t (n INTEGER, s TEXT, unset, position INTEGER PRIMARY KEY)")
        return db
    }

    @Test func insertsEveryRowWithItsValuesInOrder() throws {
        let db = try database()
        var insert = try db.prepare("INSERT INTO t SELECT c0, c1, c2, c3 FROM portscope_feed(?)")
        var next = 0
        try insert.run(feeding: 1) { row in
            guard next < Self.texts.count else { return false }
            row.set(0, Int64(next) - 3)  // negatives too
            row.set(1, Self.texts[next])
            row.set(3, Int64(next))
            next += 1
            return true
        }
        let rows = try db.query("SELECT n, s, unset, position, typeof(unset) AS kind FROM t ORDER BY position")
        #expect(rows.map { $0["n"] } == (0..<Self.texts.count).map { .int(Int64($0) - 3) })
        #expect(rows.map { $0["s"].text } == Self.texts)
        #expect(rows.allSatisfy { $0["kind"] == .text("null") })
    }

    /// A row's text stays its own: a later row's longer or shorter text never shows through.
    @Test func rowsDoNotShareText() throws {
        let db = try database()
        var insert = try db.prepare("INSERT INTO t (s, n, position) SELECT c0 || c1, c2, c3 FROM portscope_feed(?)")
        let pairs = [("abc", "def"), ("g", "h"), ("", "ijklmnop"), ("q", "")]
        var next = 0
        try insert.run(feeding: 1) { row in
            guard next < pairs.count else { return false }
            row.set(0, pairs[next].0)
            row.set(1, pairs[next].1)
            row.set(2, 7)
            row.set(3, Int64(next))
            next += 1
            return true
        }
        #expect(try db.query("SELECT s FROM t ORDER BY position").map { $0["s"].text } == pairs.map { $0.0 + $0.1 })
    }

    @Test func anEmptyFeedInsertsNothingAndTheStatementRunsAgain() throws {
        let db = try database()
        var insert = try db.prepare("INSERT INTO t (n, position) SELECT c0, c1 FROM portscope_feed(?)")
        try insert.run(feeding: 1) { _ in false }
        #expect(try db.query("SELECT count(*) AS n FROM t").first?["n"] == .int(0))
        var fed = false
        try insert.run(feeding: 1) { row in
            defer { fed = true }
            row.set(0, 5)
            row.set(1, 1)
            return !fed
        }
        #expect(try db.query("SELECT n FROM t").map { $0["n"] } == [.int(5)])
    }

    /// A constraint failing mid-feed fails the statement, and none of its rows stay.
    @Test func aFailingRowUndoesTheStatement() throws {
        let db = try database()
        var insert = try db.prepare("INSERT INTO t (position) SELECT c0 FROM portscope_feed(?)")
        let positions: [Int64] = [1, 2, 3, 2, 4]
        var next = 0
        #expect(throws: SQLiteError.self) {
            try insert.run(feeding: 1) { row in
                guard next < positions.count else { return false }
                row.set(0, positions[next])
                next += 1
                return true
            }
        }
        #expect(try db.query("SELECT count(*) AS n FROM t").first?["n"] == .int(0))
    }

    /// A source is read once: a statement that would scan it again (a join with itself) fails
    /// rather than see fewer rows the second time.
    @Test func aSourceIsReadOnce() throws {
        let db = try database()
        var join = try db.prepare("INSERT INTO t (n) SELECT a.c0 FROM portscope_feed(?1) AS a, portscope_feed(?1) AS b")
        var left = 3
        let error = #expect(throws: SQLiteError.self) {
            try join.run(feeding: 1) { row in
                row.set(0, 1)
                left -= 1
                return left >= 0
            }
        }
        #expect(error?.message.contains("a source is read once") == true)
        #expect(try db.query("SELECT count(*) AS n FROM t").first?["n"] == .int(0))
    }

    /// Without a source bound (a plain query of the table), there are no rows.
    @Test func withoutItsSourceTheTableIsEmpty() throws {
        let db = try database()
        #expect(try db.query("SELECT count(*) AS n FROM portscope_feed(NULL)").first?["n"] == .int(0))
        #expect(throws: SQLiteError.self) { _ = try db.query("SELECT count(*) AS n FROM portscope_feed") }
    }
}

/// An UPDATE … FROM the feed: with statistics (ANALYZE) the planner may scan the feed once per
/// row of the table, which a source read once refuses; materialized first, it is read once.
struct RowFeedUpdateTests {
    let dir = TemporaryDirectory()

    @Test(arguments: [1, 2, 5, 50, 5000]) func updatesWhateverTheJoinOrder(tableRows: Int) throws {
        let db = try Database(path: dir.file("u.db"))
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
        try db.execute("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(tableRows))
            INSERT INTO t SELECT i, 0 FROM n; ANALYZE
            """)
        var update = try db.prepare("""
            WITH fed AS MATERIALIZED (SELECT c0, c1 FROM portscope_feed(?)) UPDATE t SET v = fed.c0 FROM fed WHERE t.id = fed.c1
            """)
        var next = 0
        try update.run(feeding: 1) { row in
            guard next < min(3, tableRows) else { return false }
            next += 1
            row.set(0, 7)
            row.set(1, Int64(next))
            return true
        }
        #expect(try db.query("SELECT count(*) AS n FROM t WHERE v = 7").first?["n"] == .int(Int64(min(3, tableRows))))
    }
}
