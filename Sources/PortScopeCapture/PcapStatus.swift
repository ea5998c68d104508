import CPcap

/// A libpcap status code (`pcap_activate`, `pcap_next_ex`, …) as an open struct: the codes
/// PortScope acts on are named, any other keeps its value and libpcap's text.
public struct PcapStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let ok = PcapStatus(rawValue: 0)
    /// `pcap_next_ex`: a packet was read.
    public static let packet = PcapStatus(rawValue: 1)
    public static let error = PcapStatus(rawValue: PCAP_ERROR)
    public static let breakLoop = PcapStatus(rawValue: PCAP_ERROR_BREAK)
    public static let noSuchDevice = PcapStatus(rawValue: PCAP_ERROR_NO_SUCH_DEVICE)
    public static let permissionDenied = PcapStatus(rawValue: PCAP_ERROR_PERM_DENIED)
    public static let promiscuousPermissionDenied = PcapStatus(rawValue: PCAP_ERROR_PROMISC_PERM_DENIED)
    public static let interfaceNotUp = PcapStatus(rawValue: PCAP_ERROR_IFACE_NOT_UP)

    /// Errors are negative; warnings (`pcap_activate`) positive.
    public var isError: Bool { rawValue < 0 }

    /// libpcap's words for the code (`pcap_statustostr`).
    public var description: String { String(cString: pcap_statustostr(rawValue)) }
}
