/// What the decoder learned from one packet's headers. A plain value: filling it allocates
/// nothing, and it refers to no packet bytes (only offsets into them).
public struct DecodedPacket: Sendable {
    /// 0 when no IP header was reached, else 4 or 6: the IP header whose addresses are below.
    public var ipVersion: UInt8 = 0
    /// Addresses of the IP header directly enclosing the transport header (the inner one in a tunnel).
    public var source: IPAddress = .zero
    public var destination: IPAddress = .zero
    /// The protocol after that IP header (and its IPv6 extension headers).
    public var ipProtocol: IPProtocol = .hopByHop
    /// Whether both ports of a TCP, UDP or SCTP header were read.
    public var hasPorts: Bool = false
    public var sourcePort: UInt16 = 0
    public var destinationPort: UInt16 = 0
    /// TCP only, when the flags byte was captured.
    public var hasTCPFlags: Bool = false
    public var tcpFlags: TCPFlags = []
    /// TCP sequence number, when captured (0 otherwise).
    public var tcpSequence: UInt32 = 0
    /// ICMP / ICMPv6 type and code, when `ipProtocol` is one of them.
    public var icmpType: UInt8 = 0
    public var icmpCode: UInt8 = 0
    /// Whether the link layer sent the packet to a group (Ethernet broadcast or multicast, Linux
    /// cooked capture's broadcast and multicast packet types): a directed broadcast such as
    /// 10.0.5.255 has a unicast-looking IP destination and only this says it is none.
    public var linkGroupDestination: Bool = false
    /// A destination-unreachable message's quoted packet: the flow it refuses.
    public var quoted: QuotedPacket? = nil
    /// Fragment fields of the IP header above, when it is a fragment.
    public var fragment: Fragment = .none
    /// IP headers passed through to reach the one above (GRE, IP-in-IP, AH tunnels): 0 if none.
    public var tunnelDepth: UInt8 = 0
    /// Transport payload: offset into the packet and captured length (0 when none).
    public var payloadOffset: Int = 0
    public var payloadLength: Int = 0
    /// The transport payload's length on the wire, as the IP (or UDP) header declares it: at
    /// least `payloadLength`; more when the capture cut the packet.
    public var payloadWireLength: Int = 0
    /// The innermost IP packet's length as its header declares it (as captured when it declares
    /// none), and its header's length (IPv6: the fixed 40 bytes).
    public var ipLength: Int = 0
    public var ipHeaderLength: Int = 0
    /// Set when decoding stopped short of a full decode; fields set before the stop stay valid.
    public var issue: DecodeIssue? = nil

    @inlinable public init() {}

    /// IPv4 or IPv6 fragment information.
    public struct Fragment: Sendable, Equatable {
        /// The IP identification (IPv4: 16 bits; IPv6 fragment header: 32 bits).
        public var identification: UInt32
        /// Offset in bytes of this fragment's data.
        public var offset: UInt32
        public var moreFragments: Bool
        public var isFragment: Bool

        public static let none = Fragment(identification: 0, offset: 0, moreFragments: false, isFragment: false)
        @inlinable public init(identification: UInt32, offset: UInt32, moreFragments: Bool, isFragment: Bool) {
            self.identification = identification
            self.offset = offset
            self.moreFragments = moreFragments
            self.isFragment = isFragment
        }
        /// A later fragment: carries no transport header.
        @inlinable public var isNonFirst: Bool { isFragment && offset != 0 }
    }
}
