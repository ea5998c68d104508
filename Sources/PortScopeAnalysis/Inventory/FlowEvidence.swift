import PortScopeStore

/// What a stored flow shows about its two ends: the one definition every host view and finding
/// reads, as named CTEs over the `flows` rows of the captures of `:captures`
/// (`CaptureSelection.parameter`). Queries start `WITH \(FlowEvidence.tables)` and read `evidence`.
///
/// The *initiator* sent the flow's first packet (`opened_by`; rows written before schema v3 count
/// the client), the *responder* is the other end. `evidence` adds to each flow row:
/// `initiator_packets`, `responder_packets`, `responder_flags`, `initiator_addr`, `initiator_port`,
/// `responder_addr`, `responder_port`, and
/// - `established`: the responder took part. TCP — the handshake completed, or it sent packets
///   other than resets and a bare SYN-ACK (a connection seen from its middle), or more than a few
///   packets; other protocols — it sent anything back. A half-open connection (SYN, SYN-ACK, RST)
///   is not established: that is how SYN scans find open ports. A one-way stream of more than a few
///   packets (syslog, telemetry) is established too: someone listens.
/// - `probe`: a few packets toward a port that never took part (closed, filtered, or half-open).
///   Probes are scan evidence, never service traffic.
/// - `answered`: a probe that found something open: a SYN-ACK (TCP), any answer (others).
enum FlowEvidence {
    static let tables = """
        \(CaptureSelection.selected),
        ends AS (
            SELECT *,
                   CASE opened_by WHEN 'server' THEN packets_s2c ELSE packets_c2s END AS initiator_packets,
                   CASE opened_by WHEN 'server' THEN packets_c2s ELSE packets_s2c END AS responder_packets,
                   CASE opened_by WHEN 'server' THEN tcp_flags_c2s ELSE tcp_flags_s2c END AS responder_flags,
                   CASE opened_by WHEN 'server' THEN server_addr ELSE client_addr END AS initiator_addr,
                   CASE opened_by WHEN 'server' THEN server_port ELSE client_port END AS initiator_port,
                   CASE opened_by WHEN 'server' THEN client_addr ELSE server_addr END AS responder_addr,
                   CASE opened_by WHEN 'server' THEN client_port ELSE server_port END AS responder_port
            FROM flows WHERE capture_id IN selected
        ),
        judged AS (
            SELECT *,
                   CASE proto WHEN 'tcp' THEN handshake = 1 OR responder_packets > 3
                       OR (responder_packets > 0 AND instr(responder_flags, 'R') = 0
                           AND (instr(responder_flags, 'S') = 0 OR initiator_packets > 3))
                   ELSE responder_packets > 0 OR initiator_packets > 3 END AS established
            FROM ends
        ),
        evidence AS (
            SELECT *, NOT established AND initiator_packets <= 3 AS probe,
                   NOT established AND initiator_packets <= 3 AND responder_packets > 0
                       AND (proto != 'tcp' OR instr(responder_flags, 'S') > 0) AS answered
            FROM judged
        )
        """
}
