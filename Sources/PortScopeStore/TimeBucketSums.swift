import PortScopeDecode
import PortScopeFlows
import PortScopeSQLite

/// The `time_buckets` figures of the flows a flush writes: each flow's buckets not yet stored
/// (`TimeBuckets`), under the service its side names, summed per service and bucket of the
/// current width and added to the rows of `capture`. Flows without ports have no service, so no
/// buckets (as they have no `host_services` row). A flow counts in `flows` of the bucket of its
/// first packet, when its buckets are first written.
struct TimeBucketSums {
    private struct Key: Hashable {
        var proto: IPProtocol
        var server: IPAddress
        var serverPort: UInt16
        var start: Int64
    }

    private struct Sums {
        var packets: Int64 = 0
        var bytes: Int64 = 0
        var flows: Int64 = 0
    }

    private var sums: [Key: Sums] = [:]
    private let buckets: TimeBuckets

    init(_ buckets: TimeBuckets) { self.buckets = buckets }

    /// Adds what `flow`, written with `side`, holds that is not stored yet.
    mutating func add(_ flow: FlowRecord, side: ServiceSide) {
        guard flow.hasPorts else { return }
        let server = flow.key.address(side.server), port = flow.key.port(side.server), proto = flow.key.proto
        buckets.forEach(of: flow.buckets) { count in
            let key = Key(proto: proto, server: server, serverPort: port, start: buckets.bucketStart(count.start))
            sums[key, default: Sums()].packets += Int64(count.packets)
            sums[key, default: Sums()].bytes += Int64(count.bytes)
        }
        if !flow.buckets.counted {
            sums[Key(proto: proto, server: server, serverPort: port, start: buckets.bucketStart(flow.firstTime)), default: Sums()].flows += 1
        }
    }

    /// Adds the sums to the rows of `capture`, first coarsening the rows earlier flushes wrote at
    /// a smaller width (the automatic width grew since), and records the width.
    func write(to db: borrowing Database, capture: Int64) throws(SQLiteError) {
        let width = buckets.width
        let stored = try db.query("SELECT bucket_ns FROM captures WHERE id = :id", [":id": .int(capture)]).first
        if case .int(let earlier) = stored?["bucket_ns"], earlier != width {
            try coarsen(db, capture: capture, to: width)
        }
        var setWidth = try db.prepare("UPDATE captures SET bucket_ns = ? WHERE id = ?")
        try setWidth.run([.int(width), .int(capture)])
        var upsert = try db.prepare("""
            INSERT INTO time_buckets (capture_id, proto, server_addr, server_port, start_ns, packets, bytes, flows)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET packets = packets + excluded.packets, bytes = bytes + excluded.bytes,
                flows = flows + excluded.flows
            """)
        for (key, sum) in sums {
            upsert.reset()
            try upsert.bind(.int(capture), at: 1)
            try upsert.bind(.text(key.proto.name), at: 2)
            try key.server.withText { text throws(SQLiteError) in try upsert.bind(utf8: text, at: 3) }
            try upsert.bind(.int(Int64(key.serverPort)), at: 4)
            try upsert.bind(.int(key.start), at: 5)
            try upsert.bind(.int(sum.packets), at: 6)
            try upsert.bind(.int(sum.bytes), at: 7)
            try upsert.bind(.int(sum.flows), at: 8)
            try upsert.run()
        }
    }

    /// Merges `capture`'s rows into buckets of `width` (a multiple of the width they were written at).
    private func coarsen(_ db: borrowing Database, capture: Int64, to width: Int64) throws(SQLiteError) {
        try db.execute("""
            CREATE TEMP TABLE coarser AS
            SELECT capture_id, proto, server_addr, server_port,
                   start_ns - ((start_ns % \(width)) + \(width)) % \(width) AS start_ns,
                   SUM(packets) AS packets, SUM(bytes) AS bytes, SUM(flows) AS flows
            FROM time_buckets WHERE capture_id = \(capture)
            GROUP BY capture_id, proto, server_addr, server_port, 5;
            DELETE FROM time_buckets WHERE capture_id = \(capture);
            INSERT INTO time_buckets (capture_id, proto, server_addr, server_port, start_ns, packets, bytes, flows)
            SELECT * FROM coarser;
            DROP TABLE coarser;
            """)
    }
}
