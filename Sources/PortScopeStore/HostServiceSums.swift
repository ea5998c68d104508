import PortScopeDecode
import PortScopeFlows
import PortScopeSQLite

/// The host_services figures of the flow rows a flush inserts, summed per row key in memory
/// and written once per key, in key order. (A trigger per inserted flow row did the same and
/// cost four fifths of a large capture's store time.) Flow rows updated in place still move
/// their figures by the update triggers of migration v2.
struct HostServiceSums: Sendable {
    struct Key: Comparable, Sendable {
        // Laid out widest first (40 bytes, not 48: one per flow of a flush).
        var server: IPAddress
        var client: IPAddress
        var serverPort: UInt16
        var proto: IPProtocol

        static func < (a: Key, b: Key) -> Bool {
            (a.proto.rawValue, a.server, a.serverPort, a.client) < (b.proto.rawValue, b.server, b.serverPort, b.client)
        }
    }

    /// A service port and one `app_proto` of its flow rows.
    struct AppKey: Hashable, Sendable {
        var proto: IPProtocol
        var port: UInt16
        var app: String
    }

    /// One entry per flow; `sort()` orders them, so `write` sums equal keys as runs (cheaper than
    /// hashing each key, and the rows then go to the b-tree in order).
    private var entries: [(key: Key, figures: ServiceFigures)] = []
    /// The flows and bytes of each application protocol of the flow rows added (`withRow`).
    private var apps: [AppKey: (flows: Int64, bytes: Int64)] = [:]

    init(expectedFlows: Int) { entries.reserveCapacity(expectedFlows) }

    /// Adds a flow about to be inserted with `side` (`withRow`: it gets a flow row); flows
    /// without ports have no service row.
    mutating func add(_ flow: FlowRecord, side: ServiceSide, withRow: Bool) {
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

    /// The per-port totals of the entries (in key order: `sort()` first).
    func portTotals() -> [ServicePortTotals] {
        ServicePortTotals.tally(rows: entries, apps: apps)
    }

    /// Puts the entries in key order, where `write` sums equal keys as runs.
    mutating func sort() {
        entries.sort { $0.key < $1.key }
    }

    /// Adds every sum into host_services of `capture` (rows created as needed), in key order
    /// (`sort()` first) so that the b-tree is filled mostly at its end.
    func write(to db: borrowing Database, capture: Int64) throws(SQLiteError) {
        var upsert = try db.prepare("""
            INSERT INTO host_services VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET flows = flows + excluded.flows, handshakes = handshakes + excluded.handshakes,
                packets_c2s = packets_c2s + excluded.packets_c2s, bytes_c2s = bytes_c2s + excluded.bytes_c2s,
                packets_s2c = packets_s2c + excluded.packets_s2c, bytes_s2c = bytes_s2c + excluded.bytes_s2c,
                first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns)
            """)
        var i = 0
        while i < entries.count {
            let key = entries[i].key
            var f = entries[i].figures
            i += 1
            while i < entries.count && entries[i].key == key {
                f.add(entries[i].figures)
                i += 1
            }
            upsert.reset()
            try upsert.bind(.int(capture), at: 1)
            try upsert.bind(.text(key.proto.name), at: 2)
            try key.server.withText { text throws(SQLiteError) in try upsert.bind(utf8: text, at: 3) }
            try upsert.bind(.int(Int64(key.serverPort)), at: 4)
            try key.client.withText { text throws(SQLiteError) in try upsert.bind(utf8: text, at: 5) }
            try upsert.bind(.int(f.flows), at: 6)
            try upsert.bind(.int(f.handshakes), at: 7)
            try upsert.bind(.int(f.packetsC2S), at: 8)
            try upsert.bind(.int(f.bytesC2S), at: 9)
            try upsert.bind(.int(f.packetsS2C), at: 10)
            try upsert.bind(.int(f.bytesS2C), at: 11)
            try upsert.bind(.int(f.first), at: 12)
            try upsert.bind(.int(f.last), at: 13)
            try upsert.run()
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
