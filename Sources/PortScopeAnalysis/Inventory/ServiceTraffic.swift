import PortScopeDecode
import PortScopeStore

/// The established service traffic of some captures: what the host view, the policy and the
/// inventory comparisons are built from. Probes and unanswered attempts are left to the scan
/// finding; flows to a group (multicast, broadcast, a directed broadcast) make no service.
public struct ServiceTraffic: Sendable {
    public private(set) var pairs: [ServicePair]

    public init(_ store: borrowing CaptureStore, captures: CaptureSelection) throws {
        let rows = try store.query("""
            WITH \(FlowEvidence.tables)
            SELECT proto, server_addr, server_port, client_addr, decided_by, app_proto, \(TrafficTotals.sums()),
                   group_concat(DISTINCT replace(app_name, ',', '%2C')) AS names,
                   group_concat(DISTINCT replace(local_process, ',', '%2C')) AS processes
            FROM evidence
            WHERE established AND proto IN ('tcp', 'udp', 'sctp') AND NOT to_group
            GROUP BY proto, server_addr, server_port, client_addr, decided_by, app_proto
            """, captures.parameters())
        var index: [ServiceKeyWithClient: Int] = [:]
        var pairs: [ServicePair] = []
        for row in rows {
            // A multicast group or a broadcast address is never a server or a client.
            guard let proto = IPProtocol(name: row["proto"].text), let server = IPAddress(row["server_addr"].text),
                  let client = IPAddress(row["client_addr"].text), !server.isGroupAddress, !client.isGroupAddress else { continue }
            let service = ServiceKey(server: server, proto: proto, port: UInt16(clamping: row["server_port"].int))
            var totals = TrafficTotals(row)
            totals.decisions.add(row["decided_by"].text, totals.flows)
            if case .text(let app) = row["app_proto"] { totals.apps.add(app, flows: totals.flows, bytes: totals.bytes) }
            if case .text(let names) = row["names"] { totals.names = Set(names.split(separator: ",").map(String.init)) }
            if case .text(let processes) = row["processes"] { totals.processes = Set(processes.split(separator: ",").map(String.init)) }
            let key = ServiceKeyWithClient(service: service, client: client)
            if let i = index[key] {
                pairs[i].totals.add(totals)
            } else {
                index[key] = pairs.count
                pairs.append(ServicePair(service: service, client: client, totals: totals))
            }
        }
        self.pairs = pairs
    }

    private struct ServiceKeyWithClient: Hashable {
        var service: ServiceKey
        var client: IPAddress
    }

    /// Every service with its clients as peers, from the pairs `include` keeps.
    public func services(where include: (ServicePair) -> Bool = { _ in true }) -> [ServiceKey: PeerTraffic] {
        grouped(where: include) { ($0.service, $0.client) }
    }

    /// Every client and service port it used, with the servers it reached as peers, from the
    /// pairs `include` keeps. The key's `server` is the client: the host that does the using.
    public func uses(where include: (ServicePair) -> Bool = { _ in true }) -> [ServiceKey: PeerTraffic] {
        grouped(where: include) { (ServiceKey(server: $0.client, proto: $0.service.proto, port: $0.service.port), $0.service.server) }
    }

    private func grouped(where include: (ServicePair) -> Bool,
                         by keyAndPeer: (ServicePair) -> (ServiceKey, IPAddress)) -> [ServiceKey: PeerTraffic] {
        var groups: [ServiceKey: PeerTraffic] = [:]
        for pair in pairs where include(pair) {
            let (key, peer) = keyAndPeer(pair)
            groups[key, default: PeerTraffic()].totals.add(pair.totals)
            groups[key]!.peers.insert(peer)
        }
        return groups
    }
}
