/// How far a flow's responder took part: the one definition of an *established* flow and of a
/// *probe*, stored with every flow (`flows.engagement`) and read by every report and finding.
/// The *initiator* sent the flow's first packet, the *responder* is the other end.
public enum Engagement: String, Sendable, CaseIterable {
    /// The responder took part. TCP: the three-way handshake completed, or both ends sent
    /// something beyond SYNs, SYN-ACKs and resets (an ACK, data, a FIN: a connection seen from
    /// its middle). A half-open connection (SYN, SYN-ACK, RST) is not established however often
    /// its SYN-ACK is retransmitted: that is how SYN scans find open ports. Other protocols: the
    /// responder sent anything, or the initiator sent more than `probePackets` (a one-way stream
    /// such as syslog has a listener).
    case established
    /// A probe that found something open: a SYN-ACK (TCP), any answer (others).
    case openProbe = "open_probe"
    /// At most `probePackets` from the initiator toward a port that did not take part (closed,
    /// filtered, or half-open): scan evidence, never service traffic.
    case probe
    /// More than a probe, never established (a SYN retransmitted on and on).
    case attempt

    /// Packets from the initiator that a probe sends at most.
    public static let probePackets: UInt64 = 3
}

extension FlowRecord {
    /// Zeek's `conn_state`: TCP from the endpoints' states (`ConnectionTrack`); UDP from which
    /// sides sent (SF both, S0 the originator only, REJ when an ICMP unreachable was the only
    /// answer); other protocols OTH.
    public var connState: ConnState {
        switch key.proto {
        case .tcp: return connection.tcpState
        case .udp:
            let originatorSent = counters(connection.originator).packets > 0
            let responderSent = counters(connection.originator.other).packets > 0
            if originatorSent { return responderSent ? .sf : connection.unreachable ? .rej : .s0 }
            return responderSent ? .shr : .oth
        default: return .oth
        }
    }

    /// How far this flow's responder took part.
    public var engagement: Engagement {
        let initiator = firstSender, responder = firstSender.other
        let fromInitiator = counters(initiator).packets, fromResponder = counters(responder).packets
        let established: Bool
        if key.proto == .tcp {
            established = handshakeCompleted || (tookPart(initiator) && tookPart(responder))
        } else {
            established = fromResponder > 0 || fromInitiator > Engagement.probePackets
        }
        if established { return .established }
        guard fromInitiator <= Engagement.probePackets else { return .attempt }
        let answered = fromResponder > 0 && (key.proto != .tcp || counters(responder).tcpFlags.contains(.syn))
        return answered ? .openProbe : .probe
    }

    /// TCP: whether `side` sent more than SYNs, SYN-ACKs and resets (an ACK, data, a FIN) as an
    /// endpoint that took part (not an ACK of a SYN it never answered).
    private func tookPart(_ side: FlowSide) -> Bool {
        let byOriginator = side == connection.originator
        let history = connection.history
        guard connection.wasActive(side) else { return false }
        return history.contains(.ack, byOriginator: byOriginator) || history.contains(.data, byOriginator: byOriginator)
            || history.contains(.fin, byOriginator: byOriginator) || history.contains(.inconsistent, byOriginator: byOriginator)
    }
}
