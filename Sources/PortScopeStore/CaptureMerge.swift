import PortScopeSQLite

/// What merging one source database did: its captures added (source id → id here) and those
/// skipped as already here (source id → the id of the same capture here).
public struct MergeResult: Sendable, Equatable {
    public var added: [(from: Int64, to: Int64)] = []
    public var skipped: [(from: Int64, existing: Int64)] = []

    public static func == (a: Self, b: Self) -> Bool {
        a.added.map(\.from) == b.added.map(\.from) && a.added.map(\.to) == b.added.map(\.to)
            && a.skipped.map(\.from) == b.skipped.map(\.from) && a.skipped.map(\.existing) == b.skipped.map(\.existing)
    }
}

extension CaptureStore {
    /// The tables that hang off a capture, copied with it (every column but the capture's id,
    /// and `flows`' own row id).
    static let captureTables = ["capture_anomalies", "capture_members", "flows", "host_services", "time_buckets", "listeners"]

    /// Copies every capture of the PortScope database at `path` (migrated first if it is of an
    /// older schema, as any report would) into this one, in one transaction: ids are new, the
    /// sensor and everything else are kept, and a capture already here (the same file and
    /// filter by SHA-256, or the same live run: sensor, interface, times and packets) is skipped.
    public func merge(from path: String) throws(StoreError) -> MergeResult {
        _ = try CaptureStore(readingFrom: path)  // a PortScope database, of a schema this build reads
        do {
            try db.execute("ATTACH DATABASE '\(path.replacing("'", with: "''"))' AS src")
        } catch { throw .sqlite(path: path, error) }
        defer { try? db.execute("DETACH DATABASE src") }
        return try inTransaction { () throws(SQLiteError) -> MergeResult in
            var result = MergeResult()
            let captureColumns = try columns("captures").filter { $0 != "id" }
            let list = captureColumns.joined(separator: ", ")
            for source in try db.query("SELECT id FROM src.captures ORDER BY id") {
                let old = source["id"].int
                if let existing = try db.query("""
                    SELECT m.id FROM captures m JOIN src.captures s ON s.id = :id
                    WHERE m.kind = s.kind AND (CASE WHEN s.sha256 IS NOT NULL THEN m.sha256 = s.sha256 AND m.filter IS s.filter
                        ELSE m.sha256 IS NULL AND m.source = s.source AND m.first_ns IS s.first_ns AND m.last_ns IS s.last_ns
                             AND m.packets = s.packets AND m.sensor IS s.sensor END)
                    ORDER BY m.id LIMIT 1
                    """, [":id": .int(old)]).first {
                    result.skipped.append((old, existing["id"].int))
                    continue
                }
                var copy = try db.prepare("INSERT INTO captures (\(list)) SELECT \(list) FROM src.captures WHERE id = :id")
                try copy.bind(named: [":id": .int(old)])
                while try copy.step() {}
                let new = db.lastInsertRowID
                for table in Self.captureTables {
                    let kept = try columns(table).filter { $0 != "capture_id" && !(table == "flows" && $0 == "id") }
                    let names = kept.joined(separator: ", ")
                    var rows = try db.prepare("""
                        INSERT INTO \(table) (capture_id, \(names)) SELECT :new, \(names) FROM src.\(table) WHERE capture_id = :old
                        """)
                    try rows.bind(named: [":new": .int(new), ":old": .int(old)])
                    while try rows.step() {}
                }
                result.added.append((old, new))
            }
            return result
        }
    }

    /// The columns of `table` here, by name.
    private func columns(_ table: String) throws(SQLiteError) -> [String] {
        try db.query("SELECT name FROM pragma_table_info(:table) ORDER BY cid", [":table": .text(table)]).map { $0["name"].text }
    }
}
