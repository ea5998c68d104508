import PortScopeDecode
import PortScopeFlows
import PortScopeSQLite

extension CaptureStore {
    /// What a flush stored: the capture's id (new when the flush created it), and for each flow
    /// of the plan its new row's id (nil when its row was updated in place, or it got no row).
    public struct FlushResult: Sendable {
        public var captureID: Int64
        public var rowIDs: [Int64?]
        /// Flow rows the flush added.
        public var newFlows: Int
        /// The capture's figures per service port, when this flush wrote the whole capture
        /// (created it, and was its last).
        public var portTotals: [ServicePortTotals]?
    }

    /// Writes a capture and the flows of `plan`, whose service sides are already decided, in one
    /// transaction:
    /// - the capture row: created when `capture` is nil (after deleting `replacing`, if given),
    ///   then set from `summary`, with its anomalies;
    /// - new flows inserted, flows with rows updated in place, and the time buckets of what
    ///   each carried since it was last written (`buckets`, of the flows' tracker).
    ///
    /// With `summary.flowRows` false only the aggregates are written, so each flow must be in one
    /// plan only: its capture's only flush, a flush of ended flows, or the last one. The
    /// aggregates follow from the flow rows by `HostServiceSums` (new rows, and rows written
    /// early without them) and trigger (updated rows). `wholeCapture`: this flush sums every
    /// flow of the capture (none was summed before), so it can return the per-port totals.
    /// If the flush fails, nothing in the database changes.
    public func flush(_ summary: CaptureSummary, capture: Int64?, replacing: Int64? = nil,
                      flows: UnsafeBufferPointer<FlowRecord>, plan: FlushPlan,
                      names: borrowing FlowNames, buckets: TimeBuckets, wholeCapture: Bool) throws(StoreError) -> FlushResult {
        let newFlows = plan.newFlows(in: flows)
        // Every row written refers to the capture this transaction creates or updates, so SQLite's
        // check of each against `captures` (which doubled the cost of the narrow host_services and
        // time_buckets rows) is left out. Not when a replaced capture is deleted (its rows go by
        // cascade), nor inside a transaction already open (where the setting cannot change).
        // Set either way before the transaction, so that a failed restore after an earlier flush
        // can never leave a replacement's cascade unchecked.
        let checked = replacing != nil || db.isInTransaction
        if !db.isInTransaction { try setForeignKeys(checked) }
        defer { if !checked { try? setForeignKeys(true) } }
        return try inTransaction { () throws(SQLiteError) -> FlushResult in
            if let replacing {
                var delete = try db.prepare("DELETE FROM captures WHERE id = ?")
                try delete.run([.int(replacing)])
            }
            let id: Int64
            if let capture { id = capture } else { id = try insertCapture(summary) }
            var writer = try FlowRowWriter(db, capture: id, communityIDSeed: summary.communityIDSeed)
            let written = try writer.write(plan, of: flows, names: names, buckets: buckets, into: db, rows: summary.flowRows,
                                           portTotals: wholeCapture && summary.isFinal)
            try updateCapture(id, summary, newFlows: newFlows)
            return FlushResult(captureID: id, rowIDs: written.rowIDs, newFlows: newFlows, portTotals: written.portTotals)
        }
    }

    /// Opens the transaction of a capture written in parts (its flow rows while it is read,
    /// flushes of evicted flows, the last flush) and creates its row from `summary`; `commit()`
    /// or `rollback()` ends it. Unless `checkingReferences` (a capture that may replace another,
    /// whose rows then go by cascade), SQLite's check of each row's capture is left out, as in a
    /// flush of its own.
    public func beginCapture(_ summary: CaptureSummary, checkingReferences: Bool) throws(StoreError) -> Int64 {
        try setForeignKeys(checkingReferences)
        try begin()
        do {
            let id = try insertCapture(summary)
            try updateCapture(id, summary, newFlows: 0)
            return id
        } catch {
            throw .sqlite(path: path, error)
        }
    }

    /// The id the next flow row gets (SQLite's own choice: one above the largest).
    public func nextFlowRowID() throws(StoreError) -> Int64 {
        do { return try FlowRowWriter.nextID(in: db) } catch { throw .sqlite(path: path, error) }
    }

    /// Whether SQLite checks each row's references (a connection setting; no-op inside a transaction).
    func setForeignKeys(_ on: Bool) throws(StoreError) {
        do { try db.execute("PRAGMA foreign_keys = \(on ? "ON" : "OFF")") } catch { throw .sqlite(path: path, error) }
    }

    private func insertCapture(_ s: CaptureSummary) throws(SQLiteError) -> Int64 {
        var insert = try db.prepare("""
            INSERT INTO captures (source, kind, format, link_types, packets, bytes, captured_bytes, flows, status,
                tool_version, analyzed_at, writer, sensor, uid)
            VALUES (?, ?, ?, '', 0, 0, 0, 0, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?, ?, lower(hex(randomblob(16))))
            """)
        try insert.run([.text(s.source), .text(s.kind), .text(s.format), .text(s.status), .text(CaptureStore.toolVersion),
                        s.writer.map { .text($0) } ?? .null, .text(CaptureWriter.hostName)])
        return db.lastInsertRowID
    }

    private func updateCapture(_ id: Int64, _ s: CaptureSummary, newFlows: Int) throws(SQLiteError) {
        var update = try db.prepare("""
            UPDATE captures SET format = ?, size = ?, sha256 = ?, link_types = ?, filter = ?, first_ns = ?, last_ns = ?,
                packets = ?, bytes = ?, captured_bytes = ?, flows = flows + ?, status = ?, damage = ?,
                received = ?, dropped_kernel = ?, dropped_interface = ?, flow_rows = ?, compression = ?, name = ?, path = ?,
                community_id_seed = ?
            WHERE id = ?
            """)
        func optional(_ v: Int64?) -> Statement.Value { v.map { .int($0) } ?? .null }
        func optional(_ v: UInt64?) -> Statement.Value { v.map { .int(Int64(clamping: $0)) } ?? .null }
        func optional(_ v: String?) -> Statement.Value { v.map { .text($0) } ?? .null }
        try update.run([
            .text(s.format), optional(s.size), optional(s.sha256), .text(s.linkTypes.joined(separator: ",")), optional(s.filter),
            optional(s.firstTime), optional(s.lastTime), .int(Int64(s.packets)), .int(Int64(s.bytes)),
            .int(Int64(s.capturedBytes)), .int(Int64(newFlows)), .text(s.status), optional(s.damage),
            optional(s.received), optional(s.droppedByKernel), optional(s.droppedByInterface), .int(s.flowRows ? 1 : 0),
            optional(s.compression), optional(s.name), optional(s.path), .int(Int64(s.communityIDSeed)), .int(id),
        ])
        var forget = try db.prepare("DELETE FROM capture_members WHERE capture_id = :capture")
        try forget.bind(named: [":capture": .int(id)])
        while try forget.step() {}
        var member = try db.prepare("""
            INSERT INTO capture_members (capture_id, position, path, size, sha256, format, compression, packets, first_ns, last_ns)
            VALUES (:capture, :position, :path, :size, :sha256, :format, :compression, :packets, :first, :last)
            """)
        for (position, m) in s.members.enumerated() {
            try member.bind(named: [":capture": .int(id), ":position": .int(Int64(position)), ":path": .text(m.path),
                            ":size": .int(Int64(clamping: m.size)), ":sha256": .text(m.sha256), ":format": .text(m.format),
                            ":compression": optional(m.compression), ":packets": .int(Int64(clamping: m.packets)),
                            ":first": optional(m.firstTime), ":last": optional(m.lastTime)])
            while try member.step() {}
        }
        var clear = try db.prepare("DELETE FROM capture_anomalies WHERE capture_id = ?")
        try clear.run([.int(id)])
        var anomaly = try db.prepare("INSERT INTO capture_anomalies (capture_id, reason, packets) VALUES (?, ?, ?)")
        for (reason, packets) in s.anomalies where packets > 0 {
            try anomaly.run([.int(id), .text(reason), .int(Int64(packets))])
        }
    }
}
