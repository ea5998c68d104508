import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// Clients that chose a well-known service port as their source toward unrelated ports: the
/// classic way past stateless filters that trust "replies" from 20, 53, 67 or 88. Judged by
/// who opened the flow, never by the server side decided, so the decision cannot hide it.
enum SourcePortFindings {
    /// Source and destination ports that belong together (DHCP, DHCPv6 both ways).
    static let pairs: Set<[Int64]> = [[17, 68, 67], [17, 67, 68], [17, 546, 547], [17, 547, 546]]
    /// Services whose clients bind privileged ports by design (ONC RPC, NFS and its mount and lock
    /// daemons, BSD r-commands).
    static let privilegedClientServices: Set<Int64> = [111, 512, 513, 514, 543, 544, 635, 2049, 4045, 20048]

    static func find(_ store: borrowing CaptureStore, captures: CaptureSelection, common: CommonServices,
                     registry: ServiceRegistry) throws -> [Finding] {
        // TCP: opened by a SYN seen from the client. UDP: whoever sent first.
        let rows = try store.query("""
            WITH \(FlowEvidence.tables)
            SELECT initiator_addr AS source, proto, initiator_port AS sport, responder_port AS dport,
                   group_concat(DISTINCT responder_addr) AS peers, \(TrafficTotals.sums())
            FROM evidence
            WHERE opened_by IS NOT NULL AND initiator_port < 1024 AND client_port != server_port
              AND ((proto = 'tcp' AND decided_by = 'tcp_syn' AND opened_by = 'client') OR proto = 'udp')
            GROUP BY source, proto, sport, dport
            """, captures.parameters())
        let responders = try udpResponders(store, captures: captures)
        let ftp = try HostPair.sharing(["tcp/21"], store, captures: captures)
        struct Group { var totals = TrafficTotals(); var ports: Set<Int64> = []; var peers: Set<String> = [] }
        var groups: [ServiceKey: Group] = [:]
        for row in rows {
            guard let source = IPAddress(row["source"].text), let proto = IPProtocol(name: row["proto"].text) else { continue }
            let sport = row["sport"].int, dport = row["dport"].int
            guard common.contains(proto, UInt16(clamping: sport)), !pairs.contains([Int64(proto.rawValue), sport, dport]),
                  !privilegedClientServices.contains(dport) else { continue }
            let peers = row["peers"].text.split(separator: ",").map(String.init)
            // Active FTP: the server opens data connections from port 20 to its clients.
            if proto == .tcp && sport == 20 && peers.allSatisfy({ ftp.contains(HostPair(source, IPAddress($0) ?? .zero)) }) { continue }
            // UDP: a port that answers others is a server replying, seen from the middle.
            let key = ServiceKey(server: source, proto: proto, port: UInt16(clamping: sport))
            if proto == .udp && responders.contains(key) { continue }
            var group = groups[key, default: Group()]
            group.totals.add(TrafficTotals(row))
            group.ports.insert(dport)
            group.peers.formUnion(peers)
            groups[key] = group
        }
        return groups.map { key, group in
            let evidence = Evidence(group.totals, peers: group.peers.count)
            let ports = group.ports.count == 1 ? "port \(group.ports.first!)" : "\(group.ports.count) ports"
            return Finding(
                kind: .wellKnownSourcePort, severity: key.proto == .udp && evidence.flows == 1 ? .low : .medium,
                host: key.server, proto: key.proto, port: key.port,
                reason: "\(key.server) opened flows from \(describe(key.proto, key.port, registry)) to \(ports) on \(counted(group.peers.count, "host")), "
                    + "a service port used as a client source port",
                brief: "the source port of flows to \(ports) on \(counted(group.peers.count, "host"))",
                rule: "well_known_source_port: the opener's source port is a common service port below 1024 and differs "
                    + "from the destination port (TCP: opener seen sending the SYN); not DHCP/DHCPv6 pairs, RPC/NFS/r-command "
                    + "clients, active FTP data to its control clients, or a UDP port that also answers others",
                evidence: evidence)
        }
    }

    /// UDP endpoints below 1024 that answered flows others opened.
    private static func udpResponders(_ store: borrowing CaptureStore, captures: CaptureSelection) throws -> Set<ServiceKey> {
        let rows = try store.query("""
            WITH \(FlowEvidence.tables)
            SELECT DISTINCT responder_addr, responder_port FROM evidence
            WHERE proto = 'udp' AND responder_port < 1024 AND responder_packets > 0
            """, captures.parameters())
        return Set(rows.compactMap { row in
            IPAddress(row["responder_addr"].text).map { ServiceKey(server: $0, proto: .udp, port: UInt16(clamping: row["responder_port"].int)) }
        })
    }
}
