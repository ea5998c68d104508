import PortScopeDecode
import PortScopeFlows
import PortScopeSQLite

/// The host_services figures of the flow rows a flush inserts, summed per row key in memory
/// and written once per key, in key order. (A trigger per inserted flow row did the same and
/// cost four fifths of a large capture's store time.) Flow rows updated in place still move
/// their figures by the update triggers of migration v2.
struct HostServiceSums: Sendable {
    /// A host_services row's key, ordered as the table's primary key orders its text (protocol
    /// name, server, port, client): the addresses held `textOrdered`.
    struct Key: Comparable, Sendable {
        // Laid out widest first (40 bytes, not 48: one per flow of a flush).
        var server: IPAddress
        var client: IPAddress
        var serverPort: UInt16
        var proto: IPProtocol

        init(server: IPAddress, client: IPAddress, serverPort: UInt16, proto: IPProtocol) {
            self.server = server.textOrdered
            self.client = client.textOrdered
            self.serverPort = serverPort
            self.proto = proto
        }

        static func < (a: Key, b: Key) -> Bool {
            if a.proto != b.proto { return a.proto.name < b.proto.name }
            return (a.server, a.serverPort, a.client) < (b.server, b.serverPort, b.client)
        }
    }

    /// A service port and one `app_proto` of its flow rows.
    struct AppKey: Hashable, Sendable {
        var proto: IPProtocol
        var port: UInt16
        var app: String
    }

    /// One entry per flow, in key order, so `write` sums equal keys as runs (cheaper than hashing
    /// each key, and the rows then go to the b-tree in order).
    private var entries: [(key: Key, figures: ServiceFigures)] = []
    /// The flows and bytes of each application protocol of the flow rows added (`withRow`).
    private var apps: [AppKey: (flows: Int64, bytes: Int64)] = [:]

    /// The sums of the flows of `plan` not yet in the aggregates (rows updated in place move
    /// their figures by trigger; rows written early get theirs now), sorted; `rows`: the flows
    /// get flow rows (their application protocols are counted).
    init(_ plan: FlushPlan, of flows: UnsafeBufferPointer<FlowRecord>, rows: Bool) {
        entries.reserveCapacity(plan.flows.count)
        for write in plan.flows where flows[write.index].needsAggregates {
            add(flows[write.index], side: write.side, withRow: rows)
        }
        entries.sort { $0.key < $1.key }
    }

    /// Adds a flow about to be inserted with `side` (`withRow`: it gets a flow row); flows
    /// without ports have no service row.
    private mutating func add(_ flow: FlowRecord, side: ServiceSide, withRow: Bool) {
        guard flow.hasPorts else { return }
        let key = Key(server: flow.key.address(side.server), client: flow.key.address(side.client),
                      serverPort: flow.key.port(side.server), proto: flow.key.proto)
        entries.append((key, ServiceFigures(flow, side: side)))
        if withRow, let app = flow.app.storedName {
            Self.count(Int64(clamping: flow.bytes), in: &apps[AppKey(proto: key.proto, port: key.serverPort, app: app), default: (0, 0)])
        }
    }

    /// One flow of `bytes` more (through one lookup of its key).
    private static func count(_ bytes: Int64, in sum: inout (flows: Int64, bytes: Int64)) {
        sum.flows += 1
        sum.bytes &+= bytes
    }

    /// The per-port totals of the entries.
    func portTotals() -> [ServicePortTotals] {
        ServicePortTotals.tally(rows: entries, apps: apps)
    }

    /// Adds every sum into host_services of `capture` (rows created as needed), in key order,
    /// so that the b-tree is filled at its end.
    func write(to db: borrowing Database, capture: Int64) throws(SQLiteError) {
        var upsert = try db.prepare("""
            INSERT INTO host_services SELECT \((0..<13).map { "c\($0)" }.joined(separator: ", ")) FROM portscope_feed(?) WHERE true
            ON CONFLICT DO UPDATE SET flows = flows + excluded.flows, handshakes = handshakes + excluded.handshakes,
                packets_c2s = packets_c2s + excluded.packets_c2s, bytes_c2s = bytes_c2s + excluded.bytes_c2s,
                packets_s2c = packets_s2c + excluded.packets_s2c, bytes_s2c = bytes_s2c + excluded.bytes_s2c,
                first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns)
            """)  // (`WHERE true`: an upsert after a SELECT must follow a WHERE)
        var i = 0
        try upsert.run(feeding: 1) { row in
            guard i < entries.count else { return false }
            let key = entries[i].key
            var f = entries[i].figures
            i += 1
            while i < entries.count && entries[i].key == key {
                f.add(entries[i].figures)
                i += 1
            }
            row.set(0, capture)
            row.set(1, key.proto.name)
            IPAddress(textOrdered: key.server).withText { row.set(2, utf8: $0) }
            row.set(3, Int64(key.serverPort))
            IPAddress(textOrdered: key.client).withText { row.set(4, utf8: $0) }
            row.set(5, f.flows)
            row.set(6, f.handshakes)
            row.set(7, f.packetsC2S)
            row.set(8, f.bytesC2S)
            row.set(9, f.packetsS2C)
            row.set(10, f.bytesS2C)
            row.set(11, f.first)
            row.set(12, f.last)
            return true
        }
    }
}

extension ServiceFigures {
    /// The figures of one flow, with its server on `side`.
    init(_ flow: FlowRecord, side: ServiceSide) {
        let c = flow.counters(side.client), s = flow.counters(side.server)
        self.init(flows: 1, handshakes: flow.handshakeCompleted ? 1 : 0, packetsC2S: Int64(c.packets), bytesC2S: Int64(c.bytes),
                  packetsS2C: Int64(s.packets), bytesS2C: Int64(s.bytes), first: flow.firstTime, last: flow.lastTime)
    }
}
