import PortScopeDecode
import PortScopeFlows
import PortScopeSQLite

/// The columns of a flow row a flush writes, in parameter order: the one list both the insert
/// and the update statements are made from, and the binding reads.
enum FlowColumn: Int32, CaseIterable {
    case clientAddr = 1, clientPort, serverAddr, serverPort, decidedBy, firstNS, lastNS, packetsC2S, bytesC2S,
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

    /// The parameter after these columns: the row id (update) or the capture id (insert).
    static let next = Int32(allCases.count + 1)
}

/// Writes the flows of one flush: new rows inserted (or, without flow rows, only summed), rows
/// already written updated in place, the new ones' figures added to `host_services`, and what
/// every one carried since it was last written added to `time_buckets`. Also writes the rows of
/// flows settled while the capture is read (`SettledFlows`), without their sums.
struct FlowRowWriter: ~Copyable {
    private var insert: Statement
    private var replace: Statement
    private var update: Statement
    private let capture: Int64
    private let communityIDSeed: UInt16

    init(_ db: borrowing Database, capture: Int64, communityIDSeed: UInt16) throws(SQLiteError) {
        let columns = FlowColumn.allCases.map(\.name).joined(separator: ", ")
        let parameters = FlowColumn.allCases.map { _ in "?" }.joined(separator: ", ")
        let insert = try db.prepare("INSERT INTO flows (\(columns), capture_id, proto, id) VALUES (\(parameters), ?, ?, ?)")
        // A row written early without its sums is written again whole when it changed: REPLACE
        // keeps its id and, unlike UPDATE, runs no trigger moving sums it never added.
        let replace = try db.prepare("REPLACE INTO flows (\(columns), capture_id, proto, id) VALUES (\(parameters), ?, ?, ?)")
        let update = try db.prepare("UPDATE flows SET (\(columns)) = (\(parameters)) WHERE id = ?")
        self.insert = insert
        self.replace = replace
        self.update = update
        self.capture = capture
        self.communityIDSeed = communityIDSeed
    }

    /// Writes each flow of `plan`, in order, then the new ones' `host_services` sums. Returns
    /// each flow's new row id (nil when its existing row was kept or updated, or it got no row:
    /// `rows` false), and with `portTotals` the per-port totals of the rows written.
    mutating func write(_ plan: FlushPlan, of flows: UnsafeBufferPointer<FlowRecord>, names: borrowing FlowNames,
                        buckets: TimeBuckets, into db: borrowing Database, rows: Bool,
                        portTotals: Bool) throws(SQLiteError) -> (rowIDs: [Int64?], portTotals: [ServicePortTotals]?) {
        // The sums need only the plan and the flows, which nothing changes until this returns:
        // they are made on the second core while this one writes the flow rows.
        let reading = FlowsRead(buffer: flows)
        let sums = ConcurrentResult { FlushSums(plan, of: reading.buffer, buckets: buckets, rows: rows) }
        defer { sums.wait() }  // never return, nor throw, while it still reads the flows
        var newIDs: [Int64?] = []
        newIDs.reserveCapacity(plan.flows.count)
        for write in plan.flows {
            let flow = flows[write.index], side = write.side
            if !write.writesRow || !rows && flow.row == nil {
                newIDs.append(nil)
            } else if let row = flow.row, row.aggregated {
                update.reset()
                try Self.bind(flow, side: side, seed: communityIDSeed, names: names, to: &update)
                try update.bind(.int(row.id), at: FlowColumn.next)
                try update.run()
                newIDs.append(nil)
            } else {
                try insert(flow, side: side, id: flow.row?.id, replacing: flow.row != nil, names: names)
                newIDs.append(flow.row == nil ? db.lastInsertRowID : nil)
            }
        }
        let (services, overTime) = { let taken = sums.take(); return (taken.services, taken.overTime) }()
        try services.write(to: db, capture: capture)
        let totals = portTotals ? services.portTotals() : nil
        _ = consume services  // freed before the time buckets are written: a large capture's peak of memory
        try overTime.write(to: db, capture: capture)
        return (newIDs, totals)
    }

    /// Writes the rows of `settled`, each under the id it was given; their sums and time
    /// buckets wait for the capture's last flush.
    mutating func write(_ settled: borrowing SettledFlows) throws(SQLiteError) {
        for (offset, flow) in settled.records.enumerated() {
            try insert(flow, side: settled.sides[offset], id: settled.firstRowID + Int64(offset), names: settled.names)
        }
    }

    /// Inserts `flow`'s row, as a new row (`id` nil) or in place of row `id`.
    /// Inserts `flow`'s row: a new row (`id` nil: SQLite's next), or under `id`, given when
    /// settled or (`replacing`) the row written early that the flow changed since.
    private mutating func insert(_ flow: FlowRecord, side: ServiceSide, id: Int64?, replacing: Bool = false,
                                 names: borrowing FlowNames) throws(SQLiteError) {
        let values = (capture: capture, seed: communityIDSeed)
        func run(_ statement: inout Statement) throws(SQLiteError) {
            statement.reset()
            try Self.bind(flow, side: side, seed: values.seed, names: names, to: &statement)
            try statement.bind(.int(values.capture), at: FlowColumn.next)
            try statement.bind(.text(flow.key.proto.name), at: FlowColumn.next + 1)
            try statement.bind(id.map { .int($0) } ?? .null, at: FlowColumn.next + 2)
            try statement.run()
        }
        if replacing { try run(&replace) } else { try run(&insert) }
    }

    /// Binds `flow`, as written with its server on `side` (its Community ID with `seed`), to the parameters of `FlowColumn`.
    private static func bind(_ flow: FlowRecord, side: ServiceSide, seed: UInt16, names: borrowing FlowNames,
                             to statement: inout Statement) throws(SQLiteError) {
        let c = flow.counters(side.client), s = flow.counters(side.server)
        let isTCP = flow.key.proto == .tcp, isICMP = flow.key.proto == .icmp || flow.key.proto == .icmpv6
        func set(_ column: FlowColumn, _ value: Statement.Value) throws(SQLiteError) { try statement.bind(value, at: column.rawValue) }
        func set(_ column: FlowColumn, _ address: IPAddress) throws(SQLiteError) {
            try address.withText { text throws(SQLiteError) in try statement.bind(utf8: text, at: column.rawValue) }
        }
        func set(_ column: FlowColumn, _ name: NameRef?) throws(SQLiteError) {
            guard let name else { return try set(column, .null) }
            try names.withBytes(of: name) { text throws(SQLiteError) in try statement.bind(utf8: text, at: column.rawValue) }
        }
        try set(.clientAddr, flow.key.address(side.client))
        try set(.clientPort, .int(Int64(flow.key.port(side.client))))
        try set(.serverAddr, flow.key.address(side.server))
        try set(.serverPort, .int(Int64(flow.key.port(side.server))))
        try set(.decidedBy, .text(side.decidedBy.rawValue))
        try set(.firstNS, .int(flow.firstTime))
        try set(.lastNS, .int(flow.lastTime))
        try set(.packetsC2S, .int(Int64(c.packets)))
        try set(.bytesC2S, .int(Int64(c.bytes)))
        try set(.packetsS2C, .int(Int64(s.packets)))
        try set(.bytesS2C, .int(Int64(s.bytes)))
        try set(.fragmentPackets, .int(Int64(flow.fragmentPackets)))
        try set(.tcpFlagsC2S, isTCP ? .text(c.tcpFlags.letters) : .null)
        try set(.tcpFlagsS2C, isTCP ? .text(s.tcpFlags.letters) : .null)
        try set(.handshake, .int(flow.handshakeCompleted ? 1 : 0))
        try set(.endReason, .text(flow.end.name))
        try set(.icmpType, isICMP ? .int(Int64(flow.icmpType)) : .null)
        try set(.icmpCode, isICMP ? .int(Int64(flow.icmpCode)) : .null)
        try set(.openedBy, .text(flow.firstSender == side.client ? "client" : "server"))
        let app = flow.app
        try set(.appProto, app.storedName.map { .text($0) } ?? .null)
        try set(.appConfidence, app.proto != .none ? .text(app.confidence.name) : .null)
        try set(.appName, app.name)
        try set(.appALPN, app.alpn)
        try set(.connState, .text(flow.connState.rawValue))
        try set(.history, .text(flow.connection.history.text(flipped: flow.connection.flipped)))
        try set(.engagement, .text(flow.engagement.rawValue))
        try set(.toGroup, .int(flow.toGroup ? 1 : 0))
        try set(.communityID, .text(CommunityID.of(flow, seed: seed)))
        try set(.ipBytesC2S, .int(Int64(c.ipBytes)))
        try set(.ipBytesS2C, .int(Int64(s.ipBytes)))
        try set(.payloadBytesC2S, .int(Int64(c.payloadBytes)))
        try set(.payloadBytesS2C, .int(Int64(s.payloadBytes)))
        try set(.ja4, app.ja4)
        try set(.localProcess, flow.localProcess?.command)
        try set(.localPID, flow.localProcess.map { .int(Int64($0.pid)) } ?? .null)
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

/// The `host_services` and `time_buckets` sums of a flush's flows: the new rows' figures (summed
/// and sorted) and every written flow's time buckets not stored yet.
private struct FlushSums: Sendable {
    var services: HostServiceSums
    var overTime: TimeBucketSums

    init(_ plan: FlushPlan, of flows: UnsafeBufferPointer<FlowRecord>, buckets: TimeBuckets, rows: Bool) {
        services = HostServiceSums(expectedFlows: plan.flows.count)
        overTime = TimeBucketSums(buckets, flows: flows.count)
        for write in plan.flows {
            let flow = flows[write.index]
            if write.writesBuckets { overTime.add(flow, at: write.index, side: write.side) }
            // Rows updated in place move their figures by trigger; rows written early get theirs now.
            if flow.needsAggregates { services.add(flow, side: write.side, withRow: rows) }
        }
        services.sort()
        overTime.addClosed()
    }
}
