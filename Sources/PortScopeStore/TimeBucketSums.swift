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
    /// The sums in the table's key order.
    private var ordered: [(key: Key, sums: Sums)] = []
    private let buckets: TimeBuckets

    /// The time buckets not stored yet of every flow of `plan` that writes them, summed and in
    /// the table's key order.
    init(_ plan: FlushPlan, of flows: UnsafeBufferPointer<FlowRecord>, buckets: TimeBuckets) {
        self.buckets = buckets
        serviceOfFlow = Array(repeating: -1, count: flows.count)
        for write in plan.flows where write.writesBuckets { add(flows[write.index], at: write.index, side: write.side) }
        addClosed()
        sort()
    }

    /// Adds what the flow at `index`, written with `side`, holds that is not stored yet: its
    /// current bucket now, the buckets it left when the sums are written.
    private mutating func add(_ flow: FlowRecord, at index: Int, side: ServiceSide) {
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
    private mutating func addClosed() {
        serviceIndex = [:]  // no flow is added after this: its memory goes before the sums grow
        buckets.forEachClosed { bucket in
            let service = serviceOfFlow[Int(bucket.flow)]
            if service >= 0 { add(UInt64(bucket.packets), bucket.bytes, service: service, at: bucket.start) }
        }
    }

    /// Orders the sums as the table's primary key orders its rows (protocol name, port, server as
    /// text, bucket), so that `write` adds them at the b-tree's end: once, after `addClosed()`.
    private mutating func sort() {
        var rank = [Int32](repeating: 0, count: services.count)
        let byKey = services.indices.sorted { a, b in
            let x = services[a], y = services[b]
            if x.proto != y.proto { return x.proto.name < y.proto.name }
            return (x.serverPort, x.server.textOrdered) < (y.serverPort, y.server.textOrdered)
        }
        for (position, service) in byKey.enumerated() { rank[service] = Int32(position) }
        ordered = sums.map { (key: Key(service: rank[Int($0.key.service)], start: $0.key.start), sums: $0.value) }
        sums = [:]
        services = byKey.map { services[$0] }  // so a key's service is now its rank
        ordered.sort { ($0.key.service, $0.key.start) < ($1.key.service, $1.key.start) }
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
            SELECT c0, c1, c2, c3, c4, c5, c6, c7 FROM portscope_feed(?) WHERE true
            ON CONFLICT DO UPDATE SET packets = packets + excluded.packets, bytes = bytes + excluded.bytes,
                flows = flows + excluded.flows
            """)  // (`WHERE true`: an upsert after a SELECT must follow a WHERE)
        var rows = ordered.makeIterator()
        try upsert.run(feeding: 1) { row in
            guard let (key, sum) = rows.next() else { return false }
            let service = services[Int(key.service)]
            row.set(0, capture)
            row.set(1, service.proto.name)
            service.server.withText { row.set(2, utf8: $0) }
            row.set(3, Int64(service.serverPort))
            row.set(4, key.start)
            row.set(5, sum.packets)
            row.set(6, sum.bytes)
            row.set(7, sum.flows)
            return true
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
