/// Why a header could not be read. `truncated`: the capture ended first (snaplen, a cut
/// file). `malformed`: the bytes contradict themselves (a length that does not fit).
/// `unsupported`: a valid header of a kind PortScope does not decode.
public enum DecodeError: UInt8, Error, Sendable, CaseIterable {
    case truncated
    case malformed
    case unsupported
}

/// The header the decoder was reading when it stopped.
public enum DecodeLayer: UInt8, Sendable, CaseIterable {
    case linkType, link, vlan, pppoe, ppp, mpls, etherType
    case ipv4, ipv6, ipv6Extension, ipProtocol, gre, tunnel
    case tcp, udp, sctp, icmp, icmpv6

    public var name: String {
        switch self {
        case .linkType: "link_type"
        case .link: "link"
        case .vlan: "vlan"
        case .pppoe: "pppoe"
        case .ppp: "ppp"
        case .mpls: "mpls"
        case .etherType: "ethertype"
        case .ipv4: "ipv4"
        case .ipv6: "ipv6"
        case .ipv6Extension: "ipv6_extension"
        case .ipProtocol: "ip_protocol"
        case .gre: "gre"
        case .tunnel: "tunnel"
        case .tcp: "tcp"
        case .udp: "udp"
        case .sctp: "sctp"
        case .icmp: "icmp"
        case .icmpv6: "icmpv6"
        }
    }
}

/// Where and why the decoder stopped short of a full decode of a packet.
public struct DecodeIssue: Hashable, Sendable {
    public var error: DecodeError
    public var layer: DecodeLayer

    @inlinable
    public init(_ error: DecodeError, _ layer: DecodeLayer) {
        self.error = error
        self.layer = layer
    }

    /// Stable text form, e.g. `truncated.ipv4`, `unsupported.ethertype`; used as the stored reason.
    public var reason: String {
        let kind = switch error {
        case .truncated: "truncated"
        case .malformed: "malformed"
        case .unsupported: "unsupported"
        }
        return "\(kind).\(layer.name)"
    }

    /// Dense index for fixed-size counters.
    @inlinable
    public var index: Int { Int(error.rawValue) * DecodeIssue.layerCount + Int(layer.rawValue) }

    public static let layerCount = DecodeLayer.allCases.count
    public static let indexCount = DecodeError.allCases.count * layerCount

    /// Every issue, in `index` order.
    public static let all: [DecodeIssue] = DecodeError.allCases.flatMap { e in
        DecodeLayer.allCases.map { DecodeIssue(e, $0) }
    }
}
