import PortScopeDecode

/// One service port's figures in a capture written in a single flush, summed in memory from the
/// rows that flush wrote: what the services report's query makes of `host_services` (the
/// figures, distinct clients and servers) and of `flows` (the application protocols), so that
/// `analyze` prints its summary without reading back what it just stored.
public struct ServicePortTotals: Sendable {
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
}

extension ServicePortTotals {
    private struct Port: Hashable {
        var proto: IPProtocol
        var port: UInt16
    }

    /// The per-port totals of one flush's host_services rows `rows`, in key order (proto,
    /// server, port, client: a run of one (proto, server, port) is one server of that port), and
    /// of its flow rows' application protocols `apps`.
    static func tally(rows: some Sequence<(key: HostServiceSums.Key, figures: ServiceFigures)>,
                      apps: [HostServiceSums.AppKey: (flows: Int64, bytes: Int64)]) -> [ServicePortTotals] {
        var ports: [Port: Int] = [:], totals: [ServicePortTotals] = []
        func index(_ proto: IPProtocol, _ port: UInt16) -> Int {
            if let index = ports[Port(proto: proto, port: port)] { return index }
            totals.append(ServicePortTotals(proto: proto, port: port))
            ports[Port(proto: proto, port: port)] = totals.count - 1
            return totals.count - 1
        }
        // Each row's port and client, sorted, for counting distinct clients.
        var clients: [(port: Int32, client: IPAddress)] = []
        var previous: (proto: IPProtocol, server: IPAddress, port: UInt16)?
        for (key, figures) in rows {
            let i = index(key.proto, key.serverPort)
            totals[i].figures.add(figures)
            if previous == nil || previous! != (key.proto, key.server, key.serverPort) { totals[i].servers += 1 }
            previous = (key.proto, key.server, key.serverPort)
            clients.append((Int32(i), key.client))
        }
        clients.sort { ($0.port, $0.client) < ($1.port, $1.client) }
        for i in clients.indices where i == 0 || clients[i - 1] != clients[i] { totals[Int(clients[i].port)].clients += 1 }
        for (key, sum) in apps { totals[index(key.proto, key.port)].apps[key.app] = sum }
        return totals
    }
}
