import PortScopeDecode
import PortScopeFlows
import PortScopeSQLite

/// The `time_buckets` figures of the flows a flush writes: each flow's buckets not yet stored
/// (`TimeBuckets`), under the service its side names, summed per service and bucket of the
/// current width and added to the rows of `capture`. Flows without ports have no service, so no
/// buckets (as they have no `host_services` row). A flow counts in `flows` of the bucket of its
/// first packet, when its buckets are first written.
struct TimeBucketSums: Sendable {
    private struct Service: Hashable {
        // Widest first: 24 bytes, not 32.
        var server: IPAddress
        var serverPort: UInt16
        var proto: IPProtocol
    }

    private struct Key: Hashable {
        /// The position of the service in `services`.
        var service: Int32
        var start: Int64
    }

    private struct Sums {
        var packets: Int64 = 0
        var bytes: Int64 = 0
        var flows: Int64 = 0

        mutating func add(_ packets: UInt64, _ bytes: UInt64) {
            self.packets += Int64(packets)
            self.bytes += Int64(bytes)
        }
    }

    private var services: [Service] = []
    private var serviceIndex: [Service: Int32] = [:]
    /// The service each flow added was written under, by flow index (-1: not added).
    private var serviceOfFlow: [Int32]
    private var sums: [Key: Sums] = [:]
    private let buckets: TimeBuckets

    init(_ buckets: TimeBuckets, flows: Int) {
        self.buckets = buckets
        serviceOfFlow = Array(repeating: -1, count: flows)
    }

    /// Adds what the flow at `index`, written with `side`, holds that is not stored yet: its
    /// current bucket now, the buckets it left when the sums are written.
    mutating func add(_ flow: FlowRecord, at index: Int, side: ServiceSide) {
        guard flow.hasPorts else { return }
        let service = Service(server: flow.key.address(side.server), serverPort: flow.key.port(side.server), proto: flow.key.proto)
        let position: Int32
        if let known = serviceIndex[service] {
            position = known
        } else {
            position = Int32(services.count)
            services.append(service)
            serviceIndex[service] = position
        }
        serviceOfFlow[index] = position
        let current = flow.buckets.current
        if current.packets > 0 { add(current.packets, current.bytes, service: position, at: current.start) }
        if !flow.buckets.counted {
            sums[Key(service: position, start: buckets.bucketStart(flow.firstTime)), default: Sums()].flows += 1
        }
    }

    private mutating func add(_ packets: UInt64, _ bytes: UInt64, service: Int32, at start: Int64) {
        sums[Key(service: service, start: buckets.bucketStart(start)), default: Sums()].add(packets, bytes)
    }

    /// Adds the buckets the flows added left, read in one pass in the order they were left:
    /// once, after the last `add` and before `write`.
    mutating func addClosed() {
        serviceIndex = [:]  // no flow is added after this: its memory goes before the sums grow
        buckets.forEachClosed { bucket in
            let service = serviceOfFlow[Int(bucket.flow)]
            if service >= 0 { add(UInt64(bucket.packets), bucket.bytes, service: service, at: bucket.start) }
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
            let service = services[Int(key.service)]
            upsert.reset()
            try upsert.bind(.int(capture), at: 1)
            try upsert.bind(.text(service.proto.name), at: 2)
            try service.server.withText { text throws(SQLiteError) in try upsert.bind(utf8: text, at: 3) }
            try upsert.bind(.int(Int64(service.serverPort)), at: 4)
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
