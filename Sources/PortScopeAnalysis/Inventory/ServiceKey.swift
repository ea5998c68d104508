import PortScopeDecode

/// A service: an address, protocol and port that served.
public struct ServiceKey: Hashable, Sendable, Comparable {
    public var server: IPAddress
    public var proto: IPProtocol
    public var port: UInt16

    public static func < (a: Self, b: Self) -> Bool {
        (a.server, a.proto.rawValue, a.port) < (b.server, b.proto.rawValue, b.port)
    }
}

/// Established traffic (`FlowEvidence`) between one client and one service.
public struct ServicePair: Sendable {
    public var service: ServiceKey
    public var client: IPAddress
    public var totals: TrafficTotals
}

/// Traffic summed over peers: a service's clients, or the servers a client reached.
public struct PeerTraffic: Sendable {
    public var totals = TrafficTotals()
    public var peers: Set<IPAddress> = []
}
