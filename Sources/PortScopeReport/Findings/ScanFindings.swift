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
                SELECT *, \(e.initiatorAddress) AS source, \(e.responderAddress) AS host,
                       CASE WHEN proto IN ('tcp', 'udp', 'sctp') THEN \(e.responderPort) END AS tport,
                       \(e.probe) AND (proto IN ('tcp', 'udp', 'sctp') OR (proto = 'icmp' AND icmp_type = 8)
                           OR (proto = 'icmpv6' AND icmp_type = 128)) AS probe,
                       \(e.answeredProbe) AS open
                FROM flows WHERE \(captures.condition())
            ), t AS (SELECT *, proto || coalesce('/' || tport, '') AS port, host || ' ' || proto || coalesce('/' || tport, '') AS target FROM f)
            SELECT source, COUNT(DISTINCT target) FILTER (WHERE probe) AS probed, COUNT(DISTINCT target),
                   COUNT(DISTINCT host) FILTER (WHERE probe), COUNT(DISTINCT port) FILTER (WHERE probe),
                   COUNT(DISTINCT target) FILTER (WHERE open), group_concat(DISTINCT port) FILTER (WHERE open),
                   MIN(host) FILTER (WHERE probe), COUNT(DISTINCT proto) FILTER (WHERE probe),
                   MIN(proto) FILTER (WHERE probe), MIN(tport) FILTER (WHERE probe),
                   \(TrafficTotals.sums(where: "probe"))
            FROM t GROUP BY source HAVING probed >= ?
            """, [.int(Int64(threshold))])
        var findings: [Finding] = []
        for row in rows {
            guard let source = IPAddress(row[0].text) else { continue }
            let probed = row[1].int, targets = row[2].int, hosts = row[3].int, ports = row[4].int, open = row[5].int
            // Probes must be most of what the source opened: a busy client with a few failed
            // connections is not a scanner.
            guard probed * 2 >= targets else { continue }
            let proto = row[8].int == 1 ? IPProtocol(name: row[9].text) : nil
            let port = ports == 1 && row[10] != .null ? UInt16(clamping: row[10].int) : nil
            let what = switch (hosts, proto, port) {
            case (1, _, _): "\(ports) ports on \(row[7].text)"
            case (_, let proto?, let port?): "\(proto.name)/\(port) on \(hosts) hosts"
            case (_, let proto?, nil) where ports == 1: "\(proto.name) on \(hosts) hosts"
            default: "\(ports) ports on \(hosts) hosts"
            }
            // The open ports a scan found, when few enough to read.
            let openPorts = row[6].text.split(separator: ",").sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
            let answered = open == 0 ? "none answered"
                : open <= 10 && hosts == 1 ? "\(open) answered: " + openPorts.joined(separator: " ") : "\(open) answered"
            findings.append(Finding(
                kind: .scan, severity: local.contains(source) ? .high : .medium, host: source, proto: proto, port: port,
                reason: "\(source) probed \(what) without completing handshakes (\(answered))",
                rule: "scan: at least \(threshold) targets probed (a probe: at most 3 packets, answered by nothing, resets or a bare SYN-ACK), "
                    + "and probes are at least half of the \(targets) targets this source opened flows to; "
                    + "high when the source is local",
                evidence: Evidence(TrafficTotals(row, from: 11), peers: Int(hosts))))
        }
        return findings
    }
}
