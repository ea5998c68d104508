import PortScopeDecode
import PortScopeFlows
import PortScopeSQLite

/// The columns of a flow row a flush writes, in the order a row gives them (`FeedRow`
/// positions): the one list the insert, replace and update statements are made from, and the
/// row is filled by.
enum FlowColumn: Int, CaseIterable {
    case clientAddr, clientPort, serverAddr, serverPort, decidedBy, firstNS, lastNS, packetsC2S, bytesC2S,
         packetsS2C, bytesS2C, fragmentPackets, tcpFlagsC2S, tcpFlagsS2C, handshake, endReason, icmpType, icmpCode,
         openedBy, appProto, appConfidence, appName, appALPN, connState, history, engagement, toGroup, communityID,
         ipBytesC2S, ipBytesS2C, payloadBytesC2S, payloadBytesS2C, ja4, localProcess, localPID

    /// The column's name in the `flows` table.
    var name: String {
        switch self {
        case .clientAddr: "client_addr"
        case .clientPort: "client_port"
        case .serverAddr: "server_addr"
        case .serverPort: "server_port"
        case .decidedBy: "decided_by"
        case .firstNS: "first_ns"
        case .lastNS: "last_ns"
        case .packetsC2S: "packets_c2s"
        case .bytesC2S: "bytes_c2s"
        case .packetsS2C: "packets_s2c"
        case .bytesS2C: "bytes_s2c"
        case .fragmentPackets: "fragment_packets"
        case .tcpFlagsC2S: "tcp_flags_c2s"
        case .tcpFlagsS2C: "tcp_flags_s2c"
        case .handshake: "handshake"
        case .endReason: "end_reason"
        case .icmpType: "icmp_type"
        case .icmpCode: "icmp_code"
        case .openedBy: "opened_by"
        case .appProto: "app_proto"
        case .appConfidence: "app_confidence"
        case .appName: "app_name"
        case .appALPN: "app_alpn"
        case .connState: "conn_state"
        case .history: "history"
        case .engagement: "engagement"
        case .toGroup: "to_group"
        case .communityID: "community_id"
        case .ipBytesC2S: "ip_bytes_c2s"
        case .ipBytesS2C: "ip_bytes_s2c"
        case .payloadBytesC2S: "payload_bytes_c2s"
        case .payloadBytesS2C: "payload_bytes_s2c"
        case .ja4: "ja4"
        case .localProcess: "local_process"
        case .localPID: "local_pid"
        }
    }

    /// The positions after these columns: the capture's id, the protocol, the row's id.
    static let capture = allCases.count, proto = capture + 1, id = capture + 2
}

/// Writes the flows of one flush: new rows inserted (or, without flow rows, only summed), rows
/// already written updated in place, the new ones' figures added to `host_services`, and what
/// every one carried since it was last written added to `time_buckets`. Also writes the rows of
/// flows settled while the capture is read (`SettledFlows`), without their sums. Each kind of
/// write is one statement over all its rows (`Statement.run(feeding:_:)`).
struct FlowRowWriter: ~Copyable {
    private var insert: Statement
    private var replace: Statement
    private var update: Statement
    private let capture: Int64
    private let communityIDSeed: UInt16

    init(_ db: borrowing Database, capture: Int64, communityIDSeed: UInt16) throws(SQLiteError) {
        let columns = FlowColumn.allCases.map(\.name).joined(separator: ", ")
        let fed = (0...FlowColumn.id).map { "c\($0)" }.joined(separator: ", ")
        let insert = try db.prepare("INSERT INTO flows (\(columns), capture_id, proto, id) SELECT \(fed) FROM portscope_feed(?)")
        // A row written early without its sums is written again whole when it changed: REPLACE
        // keeps its id and, unlike UPDATE, runs no trigger moving sums it never added.
        let replace = try db.prepare("REPLACE INTO flows (\(columns), capture_id, proto, id) SELECT \(fed) FROM portscope_feed(?)")
        // The feed materialized first: a source is read once, and with statistics (ANALYZE) the
        // planner may put it inside the loop over `flows`.
        let update = try db.prepare("""
            WITH fed AS MATERIALIZED (SELECT \(fed) FROM portscope_feed(?))
            UPDATE flows SET (\(columns)) = (\(FlowColumn.allCases.map { "fed.c\($0.rawValue)" }.joined(separator: ", ")))
            FROM fed WHERE flows.id = fed.c\(FlowColumn.id)
            """)
        self.insert = insert
        self.replace = replace
        self.update = update
        self.capture = capture
        self.communityIDSeed = communityIDSeed
    }

    /// Writes each flow of `plan`, then the new ones' `host_services` sums. Returns each flow's
    /// new row id (nil when its existing row was kept or updated, or it got no row: `rows`
    /// false), and with `portTotals` the per-port totals of the rows written.
    mutating func write(_ plan: FlushPlan, of flows: UnsafeBufferPointer<FlowRecord>, names: borrowing FlowNames,
                        buckets: TimeBuckets, into db: borrowing Database, rows: Bool,
                        portTotals: Bool) throws(SQLiteError) -> (rowIDs: [Int64?], portTotals: [ServicePortTotals]?) {
        // The sums need only the plan and the flows, which nothing changes until this returns:
        // they are made on the second core, the host_services sums while this one writes the flow
        // rows, the time buckets' while it writes those sums (both at once were a large capture's
        // peak of memory).
        let reading = FlowsRead(buffer: flows)
        let serviceSums = ConcurrentResult { HostServiceSums(plan, of: reading.buffer, rows: rows) }
        var bucketSums: ConcurrentResult<TimeBucketSums>?
        defer {  // never return, nor throw, while they still read the flows
            serviceSums.wait()
            bucketSums?.wait()
        }
        // Plan positions of the rows inserted, written again whole (early rows that changed), updated.
        var fresh: [Int] = [], rewritten: [Int] = [], updated: [Int] = []
        for (position, write) in plan.flows.enumerated() where write.writesRow {
            switch flows[write.index].row {
            case nil: if rows { fresh.append(position) }
            case let row?: if row.aggregated { updated.append(position) } else { rewritten.append(position) }
            }
        }
        var newIDs = [Int64?](repeating: nil, count: plan.flows.count)
        if !fresh.isEmpty {
            let first = try Self.nextID(in: db)  // then in plan order
            for (offset, position) in fresh.enumerated() { newIDs[position] = first + Int64(offset) }
        }
        let capture = self.capture, seed = communityIDSeed
        func run(_ statement: inout Statement, _ positions: [Int]) throws(SQLiteError) {
            guard !positions.isEmpty else { return }
            var next = 0
            try statement.run(feeding: 1) { row in
                guard next < positions.count else { return false }
                let position = positions[next], write = plan.flows[position], flow = flows[write.index]
                next += 1
                Self.fill(&row, flow, side: write.side, seed: seed, names: names, capture: capture,
                          id: newIDs[position] ?? flow.row!.id)
                return true
            }
        }
        try run(&insert, fresh)
        try run(&replace, rewritten)
        try run(&update, updated)
        let services = serviceSums.take()
        let overTime = ConcurrentResult { TimeBucketSums(plan, of: reading.buffer, buckets: buckets) }
        bucketSums = overTime
        try services.write(to: db, capture: capture)
        let totals = portTotals ? services.portTotals() : nil
        _ = consume services  // freed before the time buckets are written: a large capture's peak of memory
        try overTime.take().write(to: db, capture: capture)
        return (newIDs, totals)
    }

    /// The id the next flow row gets: SQLite's own choice, one above the largest.
    static func nextID(in db: borrowing Database) throws(SQLiteError) -> Int64 {
        try db.query("SELECT coalesce(max(id), 0) + 1 AS next FROM flows").first?["next"].int ?? 1
    }

    /// Writes the rows of `settled`, each under the id it was given; their sums and time
    /// buckets wait for the capture's last flush.
    mutating func write(_ settled: borrowing SettledFlows) throws(SQLiteError) {
        let capture = self.capture, seed = communityIDSeed
        var next = 0
        try insert.run(feeding: 1) { row in
            guard next < settled.records.count else { return false }
            Self.fill(&row, settled.records[next], side: settled.sides[next], seed: seed, names: settled.names,
                      capture: capture, id: settled.firstRowID + Int64(next))
            next += 1
            return true
        }
    }

    /// Fills `row` with `flow`'s row `id` of `capture`, its server on `side` (its Community ID with `seed`).
    private static func fill(_ row: inout FeedRow, _ flow: FlowRecord, side: ServiceSide, seed: UInt16,
                             names: borrowing FlowNames, capture: Int64, id: Int64) {
        let c = flow.counters(side.client), s = flow.counters(side.server)
        let isTCP = flow.key.proto == .tcp, isICMP = flow.key.proto == .icmp || flow.key.proto == .icmpv6
        func set(_ column: FlowColumn, _ value: Int64) { row.set(column.rawValue, value) }
        func set(_ column: FlowColumn, _ text: String?) {
            if let text { row.set(column.rawValue, text) } else { row.setNull(column.rawValue) }
        }
        func set(_ column: FlowColumn, _ address: IPAddress) { address.withText { row.set(column.rawValue, utf8: $0) } }
        func set(_ column: FlowColumn, _ name: NameRef?) {
            guard let name else { return row.setNull(column.rawValue) }
            names.withBytes(of: name) { row.set(column.rawValue, utf8: $0) }
        }
        set(.clientAddr, flow.key.address(side.client))
        set(.clientPort, Int64(flow.key.port(side.client)))
        set(.serverAddr, flow.key.address(side.server))
        set(.serverPort, Int64(flow.key.port(side.server)))
        set(.decidedBy, side.decidedBy.rawValue)
        set(.firstNS, flow.firstTime)
        set(.lastNS, flow.lastTime)
        set(.packetsC2S, Int64(c.packets))
        set(.bytesC2S, Int64(c.bytes))
        set(.packetsS2C, Int64(s.packets))
        set(.bytesS2C, Int64(s.bytes))
        set(.fragmentPackets, Int64(flow.fragmentPackets))
        set(.tcpFlagsC2S, isTCP ? c.tcpFlags.letters : nil)
        set(.tcpFlagsS2C, isTCP ? s.tcpFlags.letters : nil)
        set(.handshake, flow.handshakeCompleted ? 1 : 0)
        set(.endReason, flow.end.name)
        if isICMP {
            set(.icmpType, Int64(flow.icmpType))
            set(.icmpCode, Int64(flow.icmpCode))
        }
        set(.openedBy, flow.firstSender == side.client ? "client" : "server")
        let app = flow.app
        set(.appProto, app.storedName)
        set(.appConfidence, app.proto != .none ? app.confidence.name : nil)
        set(.appName, app.name)
        set(.appALPN, app.alpn)
        set(.connState, flow.connState.rawValue)
        set(.history, flow.connection.history.text(flipped: flow.connection.flipped))
        set(.engagement, flow.engagement.rawValue)
        set(.toGroup, flow.toGroup ? 1 : 0)
        set(.communityID, CommunityID.of(flow, seed: seed))
        set(.ipBytesC2S, Int64(c.ipBytes))
        set(.ipBytesS2C, Int64(s.ipBytes))
        set(.payloadBytesC2S, Int64(c.payloadBytes))
        set(.payloadBytesS2C, Int64(s.payloadBytes))
        set(.ja4, app.ja4)
        set(.localProcess, flow.localProcess?.command)
        if let process = flow.localProcess { set(.localPID, Int64(process.pid)) }
        row.set(FlowColumn.capture, capture)
        row.set(FlowColumn.proto, flow.key.proto.name)
        row.set(FlowColumn.id, id)
    }
}

extension FlowEnd {
    /// The stored `end_reason`.
    var name: String {
        switch self {
        case .open: "open"
        case .idle: "idle"
        case .reused: "reused"
        case .evicted: "evicted"
        }
    }
}

/// The flows a flush writes, read by the thread that sums them while the writer binds them.
private struct FlowsRead: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<FlowRecord>
}
