import PortScopeStore

/// What a stored flow shows about its two ends, as named CTEs over the `flows` rows of the
/// captures of `:captures` active in `:since`/`:until` (`CaptureSelection.parameters`): every host view and finding reads
/// them. Queries start `WITH \(FlowEvidence.tables)` and read `evidence`.
///
/// The *initiator* sent the flow's first packet (`opened_by`; rows written before schema v3 count
/// the client), the *responder* is the other end. `evidence` adds to each flow row
/// `initiator_packets`, `responder_packets`, `responder_flags`, `initiator_addr`, `initiator_port`,
/// `responder_addr`, `responder_port`, and from the stored `engagement` (`Engagement`, the one
/// definition, decided as flows are stored): `established` (the responder took part), `probe` (a
/// few packets toward a port that never took part: scan evidence, never service traffic) and
/// `answered` (a probe that found something open).
enum FlowEvidence {
    static let tables = """
        \(CaptureSelection.selected),
        evidence AS (
            SELECT *,
                   CASE opened_by WHEN 'server' THEN packets_s2c ELSE packets_c2s END AS initiator_packets,
                   CASE opened_by WHEN 'server' THEN packets_c2s ELSE packets_s2c END AS responder_packets,
                   CASE opened_by WHEN 'server' THEN tcp_flags_c2s ELSE tcp_flags_s2c END AS responder_flags,
                   CASE opened_by WHEN 'server' THEN server_addr ELSE client_addr END AS initiator_addr,
                   CASE opened_by WHEN 'server' THEN server_port ELSE client_port END AS initiator_port,
                   CASE opened_by WHEN 'server' THEN client_addr ELSE server_addr END AS responder_addr,
                   CASE opened_by WHEN 'server' THEN client_port ELSE server_port END AS responder_port,
                   engagement = 'established' AS established,
                   engagement IN ('probe', 'open_probe') AS probe,
                   engagement = 'open_probe' AS answered
            FROM flows WHERE capture_id IN selected AND \(TimeWindow.flowCondition())
        )
        """
}
