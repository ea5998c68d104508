import PortScopeDecode
import PortScopeStore

/// What the host view leaves out for some hosts: the flows with one of them at either end that
/// make no service line, by why, so that `hosts` can be reconciled with the capture.
public struct HostLeftOut: Sendable, Equatable {
    /// Flows and packets of one kind left out.
    public struct Count: Sendable, Equatable {
        public var flows: Int64 = 0
        public var packets: Int64 = 0
    }

    /// Flows whose responder never took part: probes and unanswered attempts (the `scan`
    /// finding's evidence, never service traffic).
    public var probes = Count()
    /// ICMP and ICMPv6 flows (no port, so no service).
    public var icmp = Count()
    /// Flows to a multicast group or a broadcast address (that end is no host).
    public var group = Count()
    /// Flows of other IP protocols (GRE, ESP, …).
    public var otherProtocols = Count()

    /// The flows left out for `hosts` in the captures of `captures`. Each flow counts once: by
    /// its protocol first, then a group address, then a responder that never took part.
    public init(_ store: borrowing CaptureStore, captures: CaptureSelection, hosts: [IPAddress]) throws {
        guard !hosts.isEmpty else { return }
        let rows = try store.query("""
            WITH \(FlowEvidence.tables)
            SELECT CASE WHEN proto IN ('icmp', 'icmpv6') THEN 'icmp'
                        WHEN proto NOT IN ('tcp', 'udp', 'sctp') THEN 'other'
                        WHEN to_group THEN 'group'
                        WHEN NOT established THEN 'probe' END AS why,
                   COUNT(*) AS flows, SUM(packets_c2s + packets_s2c) AS packets
            FROM evidence
            WHERE (client_addr IN (SELECT value FROM json_each(:hosts)) OR server_addr IN (SELECT value FROM json_each(:hosts)))
            GROUP BY why HAVING why IS NOT NULL
            """, captures.parameters([":hosts": .jsonArray(hosts.map(\.description))]))
        for row in rows {
            let count = Count(flows: row["flows"].int, packets: row["packets"].int)
            switch row["why"].text {
            case "icmp": icmp = count
            case "other": otherProtocols = count
            case "group": group = count
            default: probes = count
            }
        }
    }

    /// Nothing was left out.
    public var isEmpty: Bool { [probes, icmp, group, otherProtocols].allSatisfy { $0.flows == 0 } }
}
