import PortScopeDecode

/// Zeek's connection states (`conn_state` of conn.log, base/protocols/conn/main.zeek).
public enum ConnState: String, Sendable, CaseIterable {
    /// Connection attempt seen, no reply.
    case s0 = "S0"
    /// Connection established, not terminated.
    case s1 = "S1"
    /// Normal establishment and termination (UDP: both sides sent).
    case sf = "SF"
    /// Connection attempt rejected.
    case rej = "REJ"
    /// Established, close attempt by the originator seen (no reply from the responder).
    case s2 = "S2"
    /// Established, close attempt by the responder seen (no reply from the originator).
    case s3 = "S3"
    /// Established, the originator aborted (sent a RST).
    case rsto = "RSTO"
    /// The responder sent a RST.
    case rstr = "RSTR"
    /// The originator sent a SYN then a RST; no SYN-ACK from the responder was seen.
    case rstos0 = "RSTOS0"
    /// The responder sent a SYN-ACK then a RST; no SYN from the originator was seen.
    case rstrh = "RSTRH"
    /// The originator sent a SYN then a FIN; no SYN-ACK from the responder ("half" open).
    case sh = "SH"
    /// The responder sent a SYN-ACK then a FIN; no SYN from the originator (UDP: only the
    /// responder sent).
    case shr = "SHR"
    /// No SYN seen, just midstream traffic; or a protocol without connections.
    case oth = "OTH"
}

/// The state of one TCP endpoint, as Zeek's TCP analyzer tracks it.
enum TCPEndpointState: UInt8, Sendable {
    case inactive, synSent, synAckSent, partial, established, closed, reset
}

/// A flow's connection as Zeek would log it: which side originated it, each TCP endpoint's state
/// and the history. The originator is the first packet's sender, or its peer when that packet
/// was a SYN-ACK (Zeek flips such a connection, and its history starts with `^`). The state
/// machine follows Zeek's documented endpoint transitions; updating it allocates nothing.
public struct ConnectionTrack: Sendable {
    public private(set) var originator: FlowSide
    /// Whether the originator is not the first packet's sender.
    public private(set) var flipped: Bool
    public private(set) var history = ConnectionHistory()
    private var originatorState = TCPEndpointState.inactive, responderState = TCPEndpointState.inactive
    private var originatorPrevious = TCPEndpointState.inactive, responderPrevious = TCPEndpointState.inactive
    /// Whether an ICMP destination unreachable answered a packet the originator sent.
    public private(set) var unreachable = false

    /// A connection whose first packet `side` sent; `synAck` when that packet was a SYN-ACK.
    @usableFromInline
    init(firstPacketFrom side: FlowSide, synAck: Bool) {
        originator = synAck ? side.other : side
        flipped = synAck
    }

    /// Accounts a TCP segment from `side` with `flags`, `payload` bytes on the wire and `sequence`.
    mutating func tcp(_ flags: TCPFlags, from side: FlowSide, payload: Int, sequence: UInt32) {
        let isOriginator = side == originator
        recordHistory(flags, byOriginator: isOriginator, payload: payload, sequence: sequence)
        var endpoint = isOriginator ? originatorState : responderState
        var peer = isOriginator ? responderState : originatorState
        let peerPrevious = isOriginator ? responderPrevious : originatorPrevious
        let before = (endpoint, peer)
        switch endpoint {
        case .inactive:
            if flags.contains(.syn) {
                if isOriginator {
                    endpoint = flags.contains(.ack) ? .synAckSent : .synSent
                } else {
                    // The responder's SYN (normally with ACK) establishes both ends; a SYN
                    // answering the originator's SYN-ACK is the two reversed.
                    if peer == .synSent || (peer == .synAckSent && !flags.contains(.ack)) { peer = .established }
                    endpoint = .established
                }
            }
            if flags.contains(.fin) { endpoint = .closed }
            if flags.contains(.rst) { endpoint = .reset }
            if endpoint == .inactive {
                let originatorSynSent = (isOriginator ? endpoint : peer) == .synSent
                if !isOriginator && payload == 0 && originatorSynSent {
                    // An ACK of the SYN before the SYN-ACK: no partial connection yet.
                } else if flags.contains(.ack) && peer == .established {
                    endpoint = .established  // the SYN was missed, the SYN-ACK and this ACK were not
                } else {
                    endpoint = .partial
                }
            }
        case .synSent, .synAckSent:
            if flags.contains(.fin) { endpoint = .closed }
            if flags.contains(.rst) { endpoint = .reset }
        case .established, .partial:
            if flags.contains(.syn) && endpoint == .partial && peer == .inactive && !flags.contains(.ack) {
                endpoint = .synSent
            }
            if flags.contains(.fin) && !flags.contains(.rst) {
                endpoint = .closed
                // A FIN followed by a RST from the peer was a normal close after all.
                if peer == .reset && peerPrevious == .closed { peer = .closed }
            }
            if flags.contains(.rst) { endpoint = .reset }
        case .closed:
            if flags.contains(.rst) && peer != .closed { endpoint = .reset }
        case .reset:
            break
        }
        set(isOriginator, endpoint, previous: before.0)
        set(!isOriginator, peer, previous: before.1)
    }

    /// TCP: whether `side`'s endpoint ever left Zeek's inactive state (a responder that only
    /// acknowledged a SYN before answering it never did).
    public func wasActive(_ side: FlowSide) -> Bool {
        side == originator ? originatorState != .inactive || originatorPrevious != .inactive
            : responderState != .inactive || responderPrevious != .inactive
    }

    /// Notes an ICMP destination unreachable answering a packet `sender` sent (only the
    /// originator's count: an error about the responder's packets refuses nothing it asked for).
    mutating func refused(to sender: FlowSide) {
        if sender == originator { unreachable = true }
    }

    /// Accounts a datagram (UDP, SCTP) or another packet from `side`: its payload is history.
    mutating func datagram(from side: FlowSide, payload: Int) {
        if payload > 0 { history.record(.data, byOriginator: side == originator, sequence: 0) }
    }

    private mutating func set(_ originatorSide: Bool, _ state: TCPEndpointState, previous: TCPEndpointState) {
        if originatorSide {
            if state != originatorState { originatorPrevious = previous; originatorState = state }
        } else {
            if state != responderState { responderPrevious = previous; responderState = state }
        }
    }

    private mutating func recordHistory(_ flags: TCPFlags, byOriginator: Bool, payload: Int, sequence: UInt32) {
        let syn = flags.contains(.syn), fin = flags.contains(.fin), rst = flags.contains(.rst), ack = flags.contains(.ack)
        if syn && (fin || rst) {
            history.record(.multiFlag, byOriginator: byOriginator, sequence: sequence)
        } else if fin && rst {
            history.record(.inconsistent, byOriginator: byOriginator, sequence: sequence)
        } else {
            if syn { history.record(ack ? .synAck : .syn, byOriginator: byOriginator, sequence: sequence) }
            if fin { history.record(.fin, byOriginator: byOriginator, sequence: sequence) }
            if rst { history.record(.reset, byOriginator: byOriginator, sequence: sequence) }
        }
        if ack && !syn && !fin && !rst && payload == 0 { history.record(.ack, byOriginator: byOriginator, sequence: sequence) }
        if payload > 0 { history.record(.data, byOriginator: byOriginator, sequence: sequence) }
    }

    /// Zeek's `conn_state` of a TCP connection, from its two endpoints' states.
    var tcpState: ConnState {
        let os = originatorState, rs = responderState
        // Zeek's endpoint sizes: whether either side sent payload.
        let noData = !history.contains(.data, byOriginator: true) && !history.contains(.data, byOriginator: false)
        let originatorInactive = os == .inactive || os == .partial
        let responderInactive = rs == .inactive || rs == .partial
        if rs == .reset {
            if os == .synSent || os == .synAckSent || (os == .reset && noData) { return .rej }
            return originatorInactive ? .rstrh : .rstr
        }
        if os == .reset {
            guard responderInactive else { return .rsto }
            return synThenResetOnly ? .rstos0 : .oth
        }
        if rs == .closed && os == .closed { return .sf }
        if os == .closed { return responderInactive ? .sh : .s2 }
        if rs == .closed { return originatorInactive ? .shr : .s3 }
        if os == .synSent && rs == .inactive { return .s0 }
        if os == .established && rs == .established { return .s1 }
        return .oth
    }

    /// Zeek's `^?S[^HAFGIQ]*R.*`: the originator's SYN first, then its RST, with none of its
    /// SYN-ACK, ACK, FIN, gap, inconsistent or multi-flag letters between.
    private var synThenResetOnly: Bool {
        guard history.count > 0, history.event(0) == (.syn, true) else { return false }
        for i in 1..<Int(history.count) {
            let (letter, byOriginator) = history.event(i)
            guard byOriginator else { continue }
            if letter == .reset { return true }
            switch letter {
            case .synAck, .ack, .fin, .inconsistent, .multiFlag: return false
            default: continue
            }
        }
        return false
    }
}
