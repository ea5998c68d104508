import CPcap
import PortScopeDecode

/// libpcap speaks DLT values (`pcap_open_dead`, `pcap_datalink`); files and the decoder speak
/// LINKTYPE values. They are equal except for raw IP: LINKTYPE_RAW 101 and the BSD values 12 and
/// 14 are all DLT_RAW (12 on Linux).
extension LinkType {
    /// The link type of a libpcap handle's DLT value.
    init(dlt: Int32) {
        self = dlt == DLT_RAW ? .raw : LinkType(rawValue: UInt32(bitPattern: dlt))
    }

    /// The DLT value libpcap compiles filters for.
    var dlt: Int32 {
        switch self {
        case .raw, .rawBSD12, .rawBSD14: DLT_RAW
        default: Int32(bitPattern: rawValue)
        }
    }
}
