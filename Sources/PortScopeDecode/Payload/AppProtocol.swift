/// An application protocol recognised from payload bytes. Open like `IPProtocol`: the raw value
/// is only an index; `name` is what the database and reports hold.
public struct AppProtocol: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Nothing recognised (or nothing looked at).
    public static let none = AppProtocol(rawValue: 0)
    public static let tls = AppProtocol(rawValue: 1)
    public static let http = AppProtocol(rawValue: 2)
    public static let http2 = AppProtocol(rawValue: 3)
    public static let ssh = AppProtocol(rawValue: 4)
    public static let dns = AppProtocol(rawValue: 5)
    public static let mdns = AppProtocol(rawValue: 6)
    public static let llmnr = AppProtocol(rawValue: 7)
    public static let nbns = AppProtocol(rawValue: 8)
    public static let quic = AppProtocol(rawValue: 9)
    public static let smtp = AppProtocol(rawValue: 10)
    public static let pop3 = AppProtocol(rawValue: 11)
    public static let imap = AppProtocol(rawValue: 12)
    public static let ftp = AppProtocol(rawValue: 13)
    public static let smb = AppProtocol(rawValue: 14)
    public static let rdp = AppProtocol(rawValue: 15)
    public static let mysql = AppProtocol(rawValue: 16)
    public static let postgresql = AppProtocol(rawValue: 17)
    public static let redis = AppProtocol(rawValue: 18)
    public static let ntp = AppProtocol(rawValue: 19)
    public static let dhcp = AppProtocol(rawValue: 20)
    public static let sip = AppProtocol(rawValue: 21)
    public static let socks = AppProtocol(rawValue: 22)
    public static let bittorrent = AppProtocol(rawValue: 23)
    public static let openvpn = AppProtocol(rawValue: 24)
    public static let wireguard = AppProtocol(rawValue: 25)
    public static let stun = AppProtocol(rawValue: 26)
    public static let ssdp = AppProtocol(rawValue: 27)
    public static let kerberos = AppProtocol(rawValue: 28)
    public static let ldap = AppProtocol(rawValue: 29)
    public static let snmp = AppProtocol(rawValue: 30)
    public static let dcerpc = AppProtocol(rawValue: 31)
    public static let rfb = AppProtocol(rawValue: 32)
    public static let telnet = AppProtocol(rawValue: 33)
    public static let irc = AppProtocol(rawValue: 34)
    public static let modbus = AppProtocol(rawValue: 35)
    public static let s7comm = AppProtocol(rawValue: 36)
    public static let vxlan = AppProtocol(rawValue: 37)
    public static let geneve = AppProtocol(rawValue: 38)
    public static let gtpu = AppProtocol(rawValue: 39)

    /// Peer-to-peer protocols: a client of one talks to many peers, some of which never answer,
    /// and that is no scan.
    public static let peerToPeer: [AppProtocol] = [.bittorrent]

    private static let names = [
        "none", "tls", "http", "http2", "ssh", "dns", "mdns", "llmnr", "nbns", "quic", "smtp", "pop3", "imap", "ftp",
        "smb", "rdp", "mysql", "postgresql", "redis", "ntp", "dhcp", "sip", "socks", "bittorrent", "openvpn",
        "wireguard", "stun", "ssdp", "kerberos", "ldap", "snmp", "dcerpc", "rfb", "telnet", "irc", "modbus", "s7comm",
        "vxlan", "geneve", "gtpu",
    ]

    /// The stored name (`tls`, `ssh`, …); `app<N>` for a value no detector produces.
    public var name: String {
        Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : "app\(rawValue)"
    }

    /// The protocol stored as `name`, if it is one of ours.
    public init?(name: String) {
        guard let index = Self.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: UInt8(index))
    }
}

/// How sure a detection is. `low` rests on a loose shape (a length and a few field values) and
/// needs the protocol's registered port to become `medium`; `high` rests on bytes that only
/// this protocol sends (a banner, a magic number, a parsed handshake).
public enum DetectionConfidence: UInt8, Sendable, Comparable {
    case none = 0, low, medium, high

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .none: "none"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        }
    }

}

/// What the bytes say about their sender.
public enum PayloadRole: UInt8, Sendable {
    case unknown
    /// Only a client sends this (a request, a ClientHello, a query).
    case client
    /// Only a server sends this (a greeting, a response).
    case server
    /// Both sides send it, and the server speaks first (SSH banners).
    case serverIfFirst
    /// Both sides send it, and the client speaks first (BitTorrent handshakes).
    case clientIfFirst
}
