/// A capture's link-layer header type (the `LINKTYPE_*` value of a pcap or pcapng file).
/// Open: any value is representable; the decoder names the ones it reads.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// BSD loopback: 4-byte address family in the writer's byte order (`DLT_NULL`).
    public static let null = LinkType(rawValue: 0)
    /// Ethernet II / 802.3 (`DLT_EN10MB`).
    public static let ethernet = LinkType(rawValue: 1)
    /// PPP, RFC 1661 (`DLT_PPP`).
    public static let ppp = LinkType(rawValue: 9)
    /// Raw IP as written by some BSDs (`DLT_RAW` on those systems).
    public static let rawBSD12 = LinkType(rawValue: 12)
    /// Raw IP, the other BSD value (`DLT_RAW` on OpenBSD).
    public static let rawBSD14 = LinkType(rawValue: 14)
    /// PPP in HDLC-like framing, RFC 1662 (`LINKTYPE_PPP_HDLC`).
    public static let pppHDLC = LinkType(rawValue: 50)
    /// Raw IP, version from the first nibble (`LINKTYPE_RAW`).
    public static let raw = LinkType(rawValue: 101)
    /// Cisco HDLC (`DLT_C_HDLC`).
    public static let ciscoHDLC = LinkType(rawValue: 104)
    /// IEEE 802.11 frames without a radio header (`DLT_IEEE802_11`).
    public static let ieee80211 = LinkType(rawValue: 105)
    /// IEEE 802.11 behind a radiotap header (`DLT_IEEE802_11_RADIO`).
    public static let radiotap = LinkType(rawValue: 127)
    /// OpenBSD loopback: family in network byte order (`DLT_LOOP`).
    public static let loop = LinkType(rawValue: 108)
    /// Linux cooked capture v1 (`DLT_LINUX_SLL`).
    public static let linuxSLL = LinkType(rawValue: 113)
    /// Linux netfilter NFLOG (`DLT_NFLOG`).
    public static let nflog = LinkType(rawValue: 239)
    /// Raw IPv4 (`LINKTYPE_IPV4`).
    public static let ipv4 = LinkType(rawValue: 228)
    /// Raw IPv6 (`LINKTYPE_IPV6`).
    public static let ipv6 = LinkType(rawValue: 229)
    /// Linux cooked capture v2 (`DLT_LINUX_SLL2`).
    public static let linuxSLL2 = LinkType(rawValue: 276)

    public var name: String? {
        switch self {
        case .null: "NULL"
        case .ethernet: "EN10MB"
        case .ppp: "PPP"
        case .rawBSD12, .rawBSD14, .raw: "RAW"
        case .pppHDLC: "PPP_HDLC"
        case .ciscoHDLC: "C_HDLC"
        case .loop: "LOOP"
        case .ieee80211: "IEEE802_11"
        case .radiotap: "IEEE802_11_RADIO"
        case .linuxSLL: "LINUX_SLL"
        case .nflog: "NFLOG"
        case .ipv4: "IPV4"
        case .ipv6: "IPV6"
        case .linuxSLL2: "LINUX_SLL2"
        default: nil
        }
    }

    public var description: String { name.map { "\($0)(\(rawValue))" } ?? "LINKTYPE_\(rawValue)" }
}
