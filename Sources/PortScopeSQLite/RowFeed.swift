import CSQLite

/// One row of values given to `portscope_feed` (see `Statement.run(feeding:_:)`), by position
/// (`c0`, `c1`, …): integers, text or null. Text is copied into the row's own storage, which
/// holds until the next row is asked for; a column not set is null.
public struct FeedRow: ~Copyable {
    /// How many values a row holds at most (the table's `c0` … `c63`).
    public static let columns = Int(PORTSCOPE_FEED_COLUMNS)

    fileprivate let values: UnsafeMutablePointer<portscope_feed_value>
    /// The text of the current row: one block, reused row after row; text too long for what is
    /// left of it gets a block of its own, freed with the row.
    private let text: UnsafeMutableRawBufferPointer
    private var used = 0
    private var oversized: [UnsafeMutableRawPointer] = []

    fileprivate init() {
        values = .allocate(capacity: Self.columns)
        text = .allocate(byteCount: 16_384, alignment: 8)
        clear()
    }

    deinit {
        for block in oversized { block.deallocate() }
        values.deallocate()
        text.deallocate()
    }

    /// Empties the row for the next one.
    fileprivate mutating func clear() {
        for column in 0..<Self.columns { values[column] = portscope_feed_value(integer: 0, text: nil, length: 0, type: SQLITE_NULL) }
        used = 0
        for block in oversized { block.deallocate() }
        oversized.removeAll(keepingCapacity: true)
    }

    /// The value of `column`, which must be one of the table's.
    private func slot(_ column: Int) -> UnsafeMutablePointer<portscope_feed_value> {
        precondition(column >= 0 && column < Self.columns, "portscope_feed has no column c\(column)")
        return values + column
    }

    /// Sets `column` to an integer.
    public mutating func set(_ column: Int, _ value: Int64) {
        slot(column).pointee = portscope_feed_value(integer: value, text: nil, length: 0, type: SQLITE_INTEGER)
    }

    /// Sets `column` to null (as it is until set).
    public mutating func setNull(_ column: Int) {
        slot(column).pointee.type = SQLITE_NULL
    }

    /// Sets `column` to the UTF-8 text `bytes`, copied.
    public mutating func set(_ column: Int, utf8 bytes: UnsafeBufferPointer<UInt8>) {
        let value = slot(column)
        let start: UnsafeMutableRawPointer
        if bytes.count <= text.count - used {
            start = text.baseAddress! + used
            used += bytes.count
        } else {
            start = .allocate(byteCount: max(bytes.count, 1), alignment: 1)
            oversized.append(start)
        }
        if let source = bytes.baseAddress { start.copyMemory(from: source, byteCount: bytes.count) }
        value.pointee = portscope_feed_value(integer: 0, text: start.assumingMemoryBound(to: CChar.self),
                                              length: Int32(bytes.count), type: SQLITE_TEXT)
    }

    /// Sets `column` to `text`.
    public mutating func set(_ column: Int, _ text: String) {
        var text = text
        text.withUTF8 { set(column, utf8: $0) }
    }
}

/// What the C side calls for each row: the row to fill and the caller's closure.
private struct Feeding: ~Copyable {
    var row = FeedRow()
    let next: (inout FeedRow) -> Bool
}

extension Statement {
    /// Runs the statement once, its `portscope_feed(?)` at parameter `index` reading the rows
    /// `next` fills, one at a time, until it returns false (other parameters as bound before).
    /// Many rows go into a table so through one `INSERT … SELECT` instead of a run per row. The
    /// rows are made once: a statement that joins the feed must read it through a `MATERIALIZED`
    /// CTE, or the planner may scan it once per row of the other table (which fails).
    public mutating func run(feeding index: Int32, _ next: (inout FeedRow) -> Bool) throws(SQLiteError) {
        try withoutActuallyEscaping(next) { (next) throws(SQLiteError) in
            var feeding = Feeding(next: next)
            try withUnsafeMutablePointer(to: &feeding) { (feeding) throws(SQLiteError) in
                var source = portscope_feed_source(context: UnsafeMutableRawPointer(feeding), next: { context, _ in
                    let feeding = context!.assumingMemoryBound(to: Feeding.self)
                    let next = feeding.pointee.next
                    feeding.pointee.row.clear()
                    return next(&feeding.pointee.row) ? 1 : 0
                }, values: feeding.pointee.row.values, started: 0)
                try withUnsafeMutablePointer(to: &source) { (source) throws(SQLiteError) in
                    sqlite3_reset(handle)
                    try check(portscope_feed_bind(handle, index, source), connection)
                    defer {
                        sqlite3_reset(handle)  // the source goes now: the statement must not keep it
                        sqlite3_bind_null(handle, index)
                    }
                    while try step() {}
                }
            }
        }
    }
}
