/// The 16-bit protocol field of Ethernet II, 802.1Q tags, Linux cooked headers and GRE.
public struct EtherType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// IPv4, RFC 894.
    public static let ipv4 = EtherType(rawValue: 0x0800)
    /// ARP, RFC 826.
    public static let arp = EtherType(rawValue: 0x0806)
    /// Transparent Ethernet bridging (Ethernet inside GRE, RFC 1701).
    public static let transparentEthernet = EtherType(rawValue: 0x6558)
    /// IEEE 802.1Q customer VLAN tag.
    public static let vlan = EtherType(rawValue: 0x8100)
    /// PPP (as a GRE protocol type, RFC 2637 PPTP).
    public static let ppp = EtherType(rawValue: 0x880B)
    /// IPv6, RFC 2464.
    public static let ipv6 = EtherType(rawValue: 0x86DD)
    /// MPLS unicast, RFC 3032.
    public static let mplsUnicast = EtherType(rawValue: 0x8847)
    /// MPLS multicast, RFC 5332.
    public static let mplsMulticast = EtherType(rawValue: 0x8848)
    /// PPPoE session stage, RFC 2516.
    public static let pppoeSession = EtherType(rawValue: 0x8864)
    /// IEEE 802.1ad service VLAN tag (QinQ outer tag).
    public static let serviceVLAN = EtherType(rawValue: 0x88A8)
    /// ERSPAN type II (GRE protocol type).
    public static let erspanII = EtherType(rawValue: 0x88BE)
    /// ERSPAN type III (GRE protocol type).
    public static let erspanIII = EtherType(rawValue: 0x22EB)
    /// Pre-standard QinQ tags some switches still emit.
    public static let qinq9100 = EtherType(rawValue: 0x9100)
    public static let qinq9200 = EtherType(rawValue: 0x9200)

    /// Values below 0x0600 are an 802.3 length, not a type.
    @inlinable public var isLength: Bool { rawValue < 0x0600 }

    @inlinable public var isVLANTag: Bool {
        self == .vlan || self == .serviceVLAN || self == .qinq9100 || self == .qinq9200
    }
}
