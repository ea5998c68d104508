/// What a stored flow shows about its two ends, as SQL expressions over a `flows` row: the one
/// definition every host view and finding uses. The *initiator* sent the flow's first packet
/// (`opened_by`; rows written before schema v3 count the client), the *responder* is the other end.
enum FlowEvidence {
    static let initiatorPackets = "(CASE opened_by WHEN 'server' THEN packets_s2c ELSE packets_c2s END)"
    static let responderPackets = "(CASE opened_by WHEN 'server' THEN packets_c2s ELSE packets_s2c END)"
    static let responderFlags = "(CASE opened_by WHEN 'server' THEN tcp_flags_c2s ELSE tcp_flags_s2c END)"
    static let initiatorAddress = "(CASE opened_by WHEN 'server' THEN server_addr ELSE client_addr END)"
    static let initiatorPort = "(CASE opened_by WHEN 'server' THEN server_port ELSE client_port END)"
    static let responderAddress = "(CASE opened_by WHEN 'server' THEN client_addr ELSE server_addr END)"
    static let responderPort = "(CASE opened_by WHEN 'server' THEN client_port ELSE server_port END)"

    /// The responder took part: TCP — the handshake completed, or it sent packets other than
    /// resets and a bare SYN-ACK (a connection seen from its middle), or more than a few packets;
    /// other protocols — it sent anything back. A half-open connection (SYN, SYN-ACK, RST) is not
    /// established: that is how SYN scans find open ports. A one-way stream of more than a few
    /// packets (syslog, telemetry) is established too: someone listens.
    static let established = """
        (CASE proto WHEN 'tcp' THEN handshake = 1 OR \(responderPackets) > 3 OR (\(responderPackets) > 0 \
        AND instr(\(responderFlags), 'R') = 0 AND (instr(\(responderFlags), 'S') = 0 OR \(initiatorPackets) > 3)) \
        ELSE \(responderPackets) > 0 OR \(initiatorPackets) > 3 END)
        """

    /// A probe: a few packets toward a port that never took part (closed, filtered, or half-open).
    /// Probes are scan evidence, never service traffic.
    static let probe = "(NOT \(established) AND \(initiatorPackets) <= 3)"

    /// A probe that found something open: a SYN-ACK (TCP), any answer (others).
    static let answeredProbe = "(\(probe) AND \(responderPackets) > 0 AND (proto != 'tcp' OR instr(\(responderFlags), 'S') > 0))"
}
