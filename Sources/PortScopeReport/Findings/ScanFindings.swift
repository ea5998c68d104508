import PortScopeDecode
import PortScopeStore

/// Scans, kept apart from services: a source whose flows are mostly probes
/// (`FlowEvidence.probe`) toward many targets is one finding, whatever it touched.
enum ScanFindings {
    static func find(_ store: borrowing CaptureStore, captures: CaptureSelection, threshold: Int,
                     local: LocalNetworks) throws -> [Finding] {
        let e = FlowEvidence.self
        // A target: a host and, for protocols with ports, a port. ICMP counts echo requests only
        // (routers' errors are not probes).
        let rows = try store.rows("""
            WITH f AS (
                SELECT proto, \(e.initiatorAddress) AS source, \(e.responderAddress) AS host,
                       \(e.responderAddress) || ' ' || proto || CASE WHEN proto IN ('tcp', 'udp', 'sctp')
                           THEN '/' || \(e.responderPort) ELSE '' END AS target,
                       CASE WHEN proto IN ('tcp', 'udp', 'sctp') THEN proto || '/' || \(e.responderPort) ELSE proto END AS port,
                       \(e.probe) AND (proto IN ('tcp', 'udp', 'sctp') OR (proto = 'icmp' AND icmp_type = 8)
                           OR (proto = 'icmpv6' AND icmp_type = 128)) AS probe,
                       \(e.answeredProbe) AS open,
                       packets_c2s + packets_s2c AS packets, bytes_c2s + bytes_s2c AS bytes, first_ns, last_ns
                FROM flows WHERE \(captures.condition())
            )
            SELECT source, COUNT(DISTINCT CASE WHEN probe THEN target END) AS probed, COUNT(DISTINCT target),
                   COUNT(DISTINCT CASE WHEN probe THEN host END), COUNT(DISTINCT CASE WHEN probe THEN port END),
                   COUNT(DISTINCT CASE WHEN open THEN target END), SUM(probe),
                   SUM(CASE WHEN probe THEN packets ELSE 0 END), SUM(CASE WHEN probe THEN bytes ELSE 0 END),
                   MIN(CASE WHEN probe THEN first_ns END), MAX(CASE WHEN probe THEN last_ns END),
                   MIN(CASE WHEN probe THEN port END), MIN(CASE WHEN probe THEN host END), COUNT(DISTINCT CASE WHEN probe THEN proto END),
                   group_concat(DISTINCT CASE WHEN open THEN port END)
            FROM f GROUP BY source HAVING probed >= ?
            """, [.int(Int64(threshold))])
        var findings: [Finding] = []
        for row in rows {
            guard let source = IPAddress(row[0].text) else { continue }
            let probed = row[1].int, targets = row[2].int, hosts = row[3].int, ports = row[4].int, open = row[5].int
            // Probes must be most of what the source opened: a busy client with a few failed
            // connections is not a scanner.
            guard probed * 2 >= targets else { continue }
            let onePort = ports == 1 ? row[11].text : nil
            let what = switch (hosts, onePort) {
            case (1, _): "\(ports) ports on \(row[12].text)"
            case (_, let port?): "\(port) on \(hosts) hosts"
            default: "\(ports) ports on \(hosts) hosts"
            }
            // The open ports a scan found, when few enough to read.
            let openPorts = row[14].text.split(separator: ",").sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
            let answered = open == 0 ? "none answered"
                : open <= 10 && hosts == 1 ? "\(open) answered: " + openPorts.joined(separator: " ") : "\(open) answered"
            let protoPort = onePort?.split(separator: "/")
            findings.append(Finding(
                kind: .scan, severity: local.contains(source) ? .high : .medium, host: source,
                proto: row[13].int == 1 ? IPProtocol(name: String(row[11].text.split(separator: "/")[0])) : nil,
                port: protoPort.flatMap { $0.count == 2 ? UInt16($0[1]) : nil },
                reason: "\(source) probed \(what) without completing handshakes (\(answered))",
                rule: "scan: at least \(threshold) targets probed (a probe: at most 3 packets, answered by nothing, resets or a bare SYN-ACK), "
                    + "and probes are at least half of the \(targets) targets this source opened flows to; "
                    + "high when the source is local",
                evidence: Evidence(flows: row[6].int, peers: Int(hosts), packets: row[7].int, bytes: row[8].int,
                                   first: row[9].int, last: row[10].int)))
        }
        return findings
    }
}
