import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// Protocols on ports where they do not belong, judged by the **server** port, so a client's
/// choice of source port hides nothing:
/// - a port registered to a protocol (`AppProtocol.expected`) carrying another one (SSH on
///   tcp/443): high; or carrying a payload no detector recognised, from the first bytes of a
///   TCP connection seen opening or of a UDP flow (not TLS on 443, not DNS on 53): medium;
/// - a protocol recognised with high confidence on a port IANA registers to another service,
///   one PortScope has no detector for (HTTP on 8081 `sunproxyadmin`, DNS on 5300 `hacl-hb`):
///   medium. A port nobody registered claims nothing, so nothing on it is a mismatch (a service
///   there is `uncommon_port`'s). Protocols that run on any port by design (BitTorrent, STUN,
///   WireGuard, OpenVPN, QUIC) and TLS, which wraps any protocol, are not judged here.
///
/// `allowances` (`--ignore`) and the policy's `app@service` entries allow a protocol on a port.
enum ProtocolFindings {
    static func find(_ store: borrowing CaptureStore, captures: CaptureSelection, allowances: [Policy.Ports],
                     policy: Policy?, registry: ServiceRegistry) throws -> [Finding] {
        let rows = try store.query("""
            WITH \(CaptureSelection.selected)
            SELECT server_addr, proto, server_port, app_proto, decided_by,
                   MAX(CASE app_confidence WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END) AS confidence,
                   group_concat(DISTINCT client_addr) AS clients, \(TrafficTotals.sums())
            FROM flows
            WHERE capture_id IN selected AND \(TimeWindow.flowCondition()) AND proto IN ('tcp', 'udp') AND app_proto IS NOT NULL AND NOT to_group
              AND (app_proto != 'unknown' OR proto = 'udp' OR handshake = 1)
            GROUP BY server_addr, proto, server_port, app_proto, decided_by
            """, captures.parameters())
        struct Key: Hashable { var service: ServiceKey; var app: String }
        struct Group { var totals = TrafficTotals(); var confidence: Int64 = 0; var peers: Set<Substring> = [] }
        var groups: [Key: Group] = [:]
        for row in rows {
            guard let server = IPAddress(row["server_addr"].text), !server.isGroupAddress,
                  let proto = IPProtocol(name: row["proto"].text) else { continue }
            let key = Key(service: ServiceKey(server: server, proto: proto, port: UInt16(clamping: row["server_port"].int)),
                          app: row["app_proto"].text)
            var group = groups[key, default: Group()]
            var totals = TrafficTotals(row)
            totals.decisions.add(row["decided_by"].text, totals.flows)
            group.totals.add(totals)
            group.confidence = max(group.confidence, row["confidence"].int)
            group.peers.formUnion(row["clients"].text.split(separator: ","))
            groups[key] = group
        }
        return groups.compactMap { key, group in
            let s = key.service
            if allowances.contains(where: { $0.allows(key.app, s.proto, s.port) })
                || policy?.rule(allowingApp: key.app, on: s.server, s.proto, s.port) != nil { return nil }
            guard let (severity, what) = judge(key.app, confidence: group.confidence, s.proto, s.port,
                                               registered: registry.name(s.proto, s.port) != nil) else { return nil }
            return Finding(
                kind: .protocolMismatch, severity: severity, host: s.server, proto: s.proto, port: s.port,
                reason: "\(s.server) serves \(what.app) on \(describe(s.proto, s.port, registry, unnamed: " (unregistered)")) "
                    + "to \(counted(group.peers.count, "client")), \(what.instead)",
                brief: "\(what.app) to \(counted(group.peers.count, "client")), \(what.instead)",
                rule: "protocol_mismatch: judged by the server port; high: a port registered to one protocol carries "
                    + "another (confidence medium or high); medium: it carries payload no detector recognised (TCP "
                    + "connections seen opening, UDP), or a protocol recognised with high confidence runs on a port "
                    + "IANA registers to another service; BitTorrent, STUN, WireGuard, OpenVPN, QUIC and TLS (which "
                    + "wraps any protocol) may use any other port; --ignore and the policy's app@service entries allow "
                    + "a protocol",
                evidence: Evidence(group.totals, peers: group.peers.count))
        }
    }

    /// How bad `app` (a stored name) seen with `confidence` (3 high … 1 low) on `proto`/`port`
    /// (`registered` with IANA) is, and how to say it; nil when it belongs there.
    static func judge(_ app: String, confidence: Int64, _ proto: IPProtocol, _ port: UInt16, registered: Bool)
        -> (Severity, (app: String, instead: String))? {
        let expected = AppProtocol.expected(on: port, proto)
        let instead = "where " + expected.map(\.name).joined(separator: " or ") + " is expected"
        if app == "unknown" {
            // QUIC's short headers carry nothing to recognise: a flow seen after its start is no evidence.
            guard !expected.isEmpty, !expected.contains(.quic) else { return nil }
            return (.medium, ("unrecognised payload", instead))
        }
        guard let detected = AppProtocol(name: app), confidence >= 2, !expected.contains(detected) else { return nil }
        if !expected.isEmpty { return (.high, (app, instead)) }
        guard confidence >= 3, registered, !detected.roams else { return nil }
        return (.medium, (app, "off its registered \(detected.registeredPorts(proto))"))
    }
}
