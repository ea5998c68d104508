import PortScopeDecode
import PortScopeStore

/// Scans, kept apart from services: a source whose flows are mostly probes
/// (`FlowEvidence.probe`) toward many targets is one finding, whatever it touched.
enum ScanFindings {
    static func find(_ store: borrowing CaptureStore, captures: CaptureSelection, threshold: Int,
                     local: LocalNetworks) throws -> [Finding] {
        // A target: a host and, for protocols with ports, a port. ICMP counts echo requests only
        // (routers' errors are not probes).
        let rows = try store.query("""
            WITH \(FlowEvidence.tables),
            targets AS (
                SELECT *, initiator_addr AS source, responder_addr AS host,
                       CASE WHEN proto IN ('tcp', 'udp', 'sctp') THEN responder_port END AS tport,
                       probe AND (proto IN ('tcp', 'udp', 'sctp') OR (proto = 'icmp' AND icmp_type = 8)
                           OR (proto = 'icmpv6' AND icmp_type = 128)) AS scan_probe
                FROM evidence
            ),
            named AS (SELECT *, proto || coalesce('/' || tport, '') AS port, host || ' ' || proto || coalesce('/' || tport, '') AS target
                      FROM targets)
            SELECT source, COUNT(DISTINCT target) FILTER (WHERE scan_probe) AS probed, COUNT(DISTINCT target) AS targets,
                   COUNT(DISTINCT host) FILTER (WHERE scan_probe) AS hosts, COUNT(DISTINCT port) FILTER (WHERE scan_probe) AS ports,
                   COUNT(DISTINCT target) FILTER (WHERE answered) AS open, group_concat(DISTINCT port) FILTER (WHERE answered) AS open_ports,
                   COUNT(DISTINCT target) FILTER (WHERE scan_probe AND conn_state = 'REJ') AS closed,
                   group_concat(DISTINCT port) FILTER (WHERE scan_probe AND conn_state = 'REJ') AS closed_ports,
                   COUNT(*) FILTER (WHERE app_proto IN (SELECT value FROM json_each(:peer_to_peer))) AS p2p_flows, COUNT(*) AS all_flows,
                   MIN(host) FILTER (WHERE scan_probe) AS first_host, COUNT(DISTINCT proto) FILTER (WHERE scan_probe) AS protos,
                   MIN(proto) FILTER (WHERE scan_probe) AS first_proto, MIN(tport) FILTER (WHERE scan_probe) AS first_port,
                   \(TrafficTotals.sums(where: "scan_probe"))
            FROM named GROUP BY source HAVING probed >= :threshold
            """, captures.parameters([":threshold": .int(Int64(threshold)),
                  ":peer_to_peer": .jsonArray(AppProtocol.peerToPeer.map(\.name))]))
        var findings: [Finding] = []
        for row in rows {
            guard let source = IPAddress(row["source"].text) else { continue }
            let probed = row["probed"].int, targets = row["targets"].int, hosts = row["hosts"].int, ports = row["ports"].int
            let open = row["open"].int
            // Probes must be most of what the source opened: a busy client with a few failed
            // connections is not a scanner; nor is a peer-to-peer client pinging its peers.
            guard probed * 2 >= targets, row["p2p_flows"].int * 2 <= row["all_flows"].int else { continue }
            let proto = row["protos"].int == 1 ? IPProtocol(name: row["first_proto"].text) : nil
            let port = ports == 1 && row["first_port"] != .null ? UInt16(clamping: row["first_port"].int) : nil
            let what = switch (hosts, proto, port) {
            case (1, _, _): "\(ports) ports on \(row["first_host"].text)"
            case (_, let proto?, let port?): "\(proto.name)/\(port) on \(hosts) hosts"
            case (_, let proto?, nil) where ports == 1: "\(proto.name) on \(hosts) hosts"
            default: "\(ports) ports on \(hosts) hosts"
            }
            // What the scan found: the open ports (a SYN-ACK, an answer) and the closed ones (a
            // reset, an ICMP port unreachable), each as proto/port, shortest first.
            func portList(_ key: String) -> [String] {
                row[key].text.split(separator: ",").map(String.init).sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
            }
            let openPorts = portList("open_ports"), closedPorts = portList("closed_ports")
            let closed = row["closed"].int, unanswered = probed - open - closed
            var found = open == 0 ? "none open" : "\(open) open" + (open <= 10 ? " (" + openPorts.joined(separator: " ") + ")" : "")
            found += closed == 0 ? ", none closed" : ", \(closed) closed"
            if unanswered > 0 { found += ", \(unanswered) unanswered" }
            // A table's: the first open ports named, the rest counted.
            let shown = 3
            var briefly = open == 0 ? "none open" : "open " + openPorts.prefix(shown).joined(separator: " ")
                + (openPorts.count > shown ? " +\(openPorts.count - shown)" : "")
            briefly += closed == 0 ? ", none closed" : ", \(closed) closed"
            if unanswered > 0 { briefly += ", \(unanswered) unanswered" }
            findings.append(Finding(
                kind: .scan, severity: local.contains(source) ? .high : .medium, host: source, proto: proto, port: port,
                reason: "\(source) probed \(what) without completing handshakes: \(found)",
                brief: "\(what): \(briefly)",
                openPorts: openPorts, closedPorts: closedPorts,
                rule: "scan: at least \(threshold) targets probed (a probe: at most 3 packets, answered by nothing, resets, "
                    + "an ICMP unreachable or a bare SYN-ACK), and probes are at least half of the \(targets) targets this source "
                    + "opened flows to, and most of its flows are not a peer-to-peer protocol; high when the source is local",
                evidence: Evidence(TrafficTotals(row), peers: Int(hosts))))
        }
        return findings
    }
}
