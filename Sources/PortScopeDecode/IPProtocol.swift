/// The IPv4 protocol / IPv6 next-header number (IANA "Assigned Internet Protocol Numbers").
public struct IPProtocol: RawRepresentable, Hashable, Sendable, Comparable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// IPv6 hop-by-hop options, RFC 8200.
    public static let hopByHop = IPProtocol(rawValue: 0)
    /// ICMP, RFC 792.
    public static let icmp = IPProtocol(rawValue: 1)
    /// IPv4 encapsulated in IP, RFC 2003.
    public static let ipv4 = IPProtocol(rawValue: 4)
    /// TCP, RFC 9293.
    public static let tcp = IPProtocol(rawValue: 6)
    /// UDP, RFC 768.
    public static let udp = IPProtocol(rawValue: 17)
    /// IPv6 encapsulated in IP, RFC 2473 / RFC 4213.
    public static let ipv6 = IPProtocol(rawValue: 41)
    /// IPv6 routing header, RFC 8200.
    public static let routing = IPProtocol(rawValue: 43)
    /// IPv6 fragment header, RFC 8200.
    public static let fragment = IPProtocol(rawValue: 44)
    /// GRE, RFC 2784.
    public static let gre = IPProtocol(rawValue: 47)
    /// ESP, RFC 4303: the rest is encrypted.
    public static let esp = IPProtocol(rawValue: 50)
    /// Authentication header, RFC 4302.
    public static let ah = IPProtocol(rawValue: 51)
    /// ICMPv6, RFC 4443.
    public static let icmpv6 = IPProtocol(rawValue: 58)
    /// IPv6 "no next header", RFC 8200.
    public static let noNextHeader = IPProtocol(rawValue: 59)
    /// IPv6 destination options, RFC 8200.
    public static let destinationOptions = IPProtocol(rawValue: 60)
    /// SCTP, RFC 9260.
    public static let sctp = IPProtocol(rawValue: 132)

    /// Whether this protocol's header starts with a source and destination port.
    @inlinable public var hasPorts: Bool { self == .tcp || self == .udp || self == .sctp }

    /// Lower-case name used in reports and the database (`tcp`, `udp`, …; else the number).
    public var name: String {
        switch self {
        case .tcp: "tcp"
        case .udp: "udp"
        case .sctp: "sctp"
        case .icmp: "icmp"
        case .icmpv6: "icmpv6"
        case .gre: "gre"
        case .esp: "esp"
        case .ah: "ah"
        default: String(rawValue)
        }
    }

    /// Parses a name as written by `name`, or a number.
    public init?(name: String) {
        switch name.lowercased() {
        case "tcp": self = .tcp
        case "udp": self = .udp
        case "sctp": self = .sctp
        case "icmp": self = .icmp
        case "icmpv6", "ipv6-icmp": self = .icmpv6
        case "gre": self = .gre
        case "esp": self = .esp
        case "ah": self = .ah
        default:
            guard let n = UInt8(name) else { return nil }
            self.init(rawValue: n)
        }
    }
}
