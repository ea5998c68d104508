import PortScopeDecode

/// How a flow's server side was decided, strongest evidence first. Stored with every flow.
public enum ServiceDecision: String, Sendable, CaseIterable {
    /// TCP: the destination of the first pure SYN.
    case tcpSYN = "tcp_syn"
    /// TCP: the sender of a SYN-ACK (the SYN itself was not seen).
    case tcpSYNACK = "tcp_syn_ack"
    /// The payload: the receiver of a request (an HTTP request, a TLS ClientHello, a DNS
    /// query), the sender of a response or greeting, the first to send an SSH banner.
    case payload
    /// One endpoint was reached from several peer ports across the capture; the other from one.
    case portFanIn = "port_fan_in"
    /// One port lies in the ephemeral ranges (32768–65535: Linux's 32768–60999 and IANA's
    /// dynamic 49152–65535), the other does not.
    case ephemeralPort = "ephemeral_port"
    /// Only one of the two ports has an IANA service name.
    case ianaRegistry = "iana_registry"
    /// Neither told: the lower port.
    case lowerPort = "lower_port"
    /// No ports (ICMP and other protocols) or equal ports: the destination of the first packet.
    case firstPacket = "first_packet"

    /// Whether the flow's own handshake decided, so no later evidence changes its side.
    public var isFinal: Bool { self == .tcpSYN || self == .tcpSYNACK }

    /// Whether the flow's own packets decided (handshake, payload, first packet), not the rest
    /// of the capture (the fan-in behind the later rules can still grow): a flow that gets no
    /// more packets keeps this side.
    public var restsOnFlowAlone: Bool { self == .tcpSYN || self == .tcpSYNACK || self == .payload || self == .firstPacket }
}

/// A flow's server: its side of the flow key, and how that was decided.
public struct ServiceSide: Sendable, Equatable {
    public var server: FlowSide
    public var decidedBy: ServiceDecision

    public init(server: FlowSide, decidedBy: ServiceDecision) {
        self.server = server
        self.decidedBy = decidedBy
    }
    public var client: FlowSide { server.other }
}

/// Decides the server of each flow of a capture. Port fan-in is learned from the flows it is
/// shown (`learn`), so decide after learning every flow that will be decided together.
public struct ServiceSideInference: Sendable {
    /// Per endpoint: the one peer port seen, or many.
    private var peerPorts = EndpointPeers()
    private let registry: ServiceRegistry

    /// An inference that has learned nothing yet.
    public init(registry: ServiceRegistry) {
        self.registry = registry
    }

    /// Learns fan-in from `flows`.
    public init(flows: UnsafeBufferPointer<FlowRecord>, registry: ServiceRegistry) {
        self.registry = registry
        peerPorts = EndpointPeers(capacity: 2 * flows.count)
        for flow in flows { learn(flow) }
    }

    /// Notes the peer ports of `flow`'s endpoints. Learning a flow again changes nothing.
    public mutating func learn(_ flow: FlowRecord) {
        guard flow.hasPorts else { return }
        peerPorts.note(Self.endpoint(flow, .a), peer: flow.key.portB)
        peerPorts.note(Self.endpoint(flow, .b), peer: flow.key.portA)
    }

    /// Forgets the endpoints seen with a single peer port once more than `limit` are known,
    /// keeping those with fan-in: a flood of one-off sources cannot grow this table without
    /// bound. (An endpoint forgotten and seen again with a second peer shows fan-in at its third.)
    /// Returns whether it forgot: the flows still in memory are then to be learned again.
    public mutating func forgetSinglePeers(above limit: Int) -> Bool {
        guard peerPorts.count > limit else { return false }
        peerPorts.keepManyPeers()
        return true
    }

    private func hasFanIn(_ flow: FlowRecord, _ side: FlowSide) -> Bool {
        peerPorts.hasManyPeers(Self.endpoint(flow, side))
    }

    /// The end `side` of `flow`.
    private static func endpoint(_ flow: FlowRecord, _ side: FlowSide) -> EndpointPeers.Endpoint {
        EndpointPeers.Endpoint(address: flow.key.address(side), port: flow.key.port(side), proto: flow.key.proto)
    }

    static func isEphemeral(_ port: UInt16) -> Bool { port >= 32768 }

    /// The server of `flow`, by the strongest evidence available.
    public func decide(_ flow: FlowRecord) -> ServiceSide {
        if let server = flow.handshakeServer {
            return ServiceSide(server: server, decidedBy: flow.synSender != nil ? .tcpSYN : .tcpSYNACK)
        }
        if let server = flow.app.server { return ServiceSide(server: server, decidedBy: .payload) }
        let firstDestination = ServiceSide(server: flow.firstSender.other, decidedBy: .firstPacket)
        guard flow.hasPorts, flow.key.portA != flow.key.portB else { return firstDestination }
        let fanA = hasFanIn(flow, .a), fanB = hasFanIn(flow, .b)
        if fanA != fanB { return ServiceSide(server: fanA ? .a : .b, decidedBy: .portFanIn) }
        let ephemeralA = Self.isEphemeral(flow.key.portA), ephemeralB = Self.isEphemeral(flow.key.portB)
        if ephemeralA != ephemeralB { return ServiceSide(server: ephemeralA ? .b : .a, decidedBy: .ephemeralPort) }
        let namedA = registry.isRegistered(flow.key.proto, flow.key.portA)
        let namedB = registry.isRegistered(flow.key.proto, flow.key.portB)
        if namedA != namedB { return ServiceSide(server: namedA ? .a : .b, decidedBy: .ianaRegistry) }
        return ServiceSide(server: flow.key.portA < flow.key.portB ? .a : .b, decidedBy: .lowerPort)
    }
}
