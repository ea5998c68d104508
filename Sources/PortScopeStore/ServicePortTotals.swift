import PortScopeDecode

/// One service port's figures in a capture written in a single flush, summed in memory from the
/// rows that flush wrote: what the services report's query makes of `host_services` (the
/// figures, distinct clients and servers) and of `flows` (the application protocols), so that
/// `analyze` prints its summary without reading back what it just stored.
public struct ServicePortTotals: Sendable, Equatable {
    public var proto: IPProtocol
    public var port: UInt16
    public var figures = ServiceFigures()
    public var clients: Int64 = 0
    public var servers: Int64 = 0
    /// Each `app_proto` of the port's flow rows: its flows and wire bytes (empty without flow rows).
    public var apps: [String: (flows: Int64, bytes: Int64)] = [:]

    init(proto: IPProtocol, port: UInt16) {
        self.proto = proto
        self.port = port
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.proto == b.proto && a.port == b.port && a.figures == b.figures && a.clients == b.clients && a.servers == b.servers
            && a.apps.mapValues { [$0.flows, $0.bytes] } == b.apps.mapValues { [$0.flows, $0.bytes] }
    }
}

/// The per-port totals of the rows of one flush (`HostServiceSums`).
struct ServicePortTally {
    private struct Port: Hashable {
        var proto: IPProtocol
        var port: UInt16
    }

    private var ports: [Port: Int] = [:]
    private(set) var totals: [ServicePortTotals] = []
    /// Each row's port and client, for counting distinct clients.
    private var clients: [(port: Int32, client: IPAddress)] = []

    /// Counts the host_services rows `rows`, in key order (proto, server, port, client): a run
    /// of one (proto, server, port) is one server of that port.
    init(rows: some Sequence<(key: HostServiceSums.Key, figures: ServiceFigures)>, apps: [HostServiceSums.AppKey: (flows: Int64, bytes: Int64)]) {
        var previous: (proto: IPProtocol, server: IPAddress, port: UInt16)?
        for (key, figures) in rows {
            let index = self.index(key.proto, key.serverPort)
            totals[index].figures.add(figures)
            if previous == nil || previous! != (key.proto, key.server, key.serverPort) { totals[index].servers += 1 }
            previous = (key.proto, key.server, key.serverPort)
            clients.append((Int32(index), key.client))
        }
        clients.sort { ($0.port, $0.client) < ($1.port, $1.client) }
        for i in clients.indices where i == 0 || clients[i - 1] != clients[i] { totals[Int(clients[i].port)].clients += 1 }
        clients = []
        for (key, sum) in apps { totals[index(key.proto, key.port)].apps[key.app] = sum }
    }

    private mutating func index(_ proto: IPProtocol, _ port: UInt16) -> Int {
        if let index = ports[Port(proto: proto, port: port)] { return index }
        totals.append(ServicePortTotals(proto: proto, port: port))
        ports[Port(proto: proto, port: port)] = totals.count - 1
        return totals.count - 1
    }
}
