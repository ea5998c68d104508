import CPcap
import PortScopeDecode

#if canImport(Glibc)
import Glibc
#endif

/// An interface libpcap can capture on (`pcap_findalldevs`), as `tcpdump -D` lists them.
public struct CaptureInterface: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var isUp: Bool
    public var isRunning: Bool
    public var isLoopback: Bool
    public var isWireless: Bool
    /// The link as a user would say it: `link up` (libpcap's connected), `no link` (disconnected:
    /// a cable unplugged, no carrier), `virtual` (not applicable: loopback, `any`, monitors, tunnels
    /// have no link to sense), or nil when unknown.
    public var connection: String?
    /// The interface's IPv4 and IPv6 addresses.
    public var addresses: [IPAddress]

    /// Flags as words, in `tcpdump -D`'s order: up (or down), running, wireless, loopback, link.
    public var flags: [String] {
        var words: [String] = [isUp ? "up" : "down"]
        if isRunning { words.append("running") }
        if isWireless { words.append("wireless") }
        if isLoopback { words.append("loopback") }
        if let connection { words.append(connection) }
        return words
    }

    /// Every interface this process can see (capturing may still need privileges).
    public static func all() throws(CaptureError) -> [CaptureInterface] {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        var list: UnsafeMutablePointer<pcap_if_t>?
        guard pcap_findalldevs(&list, &errbuf) == 0 else {
            throw .interface(name: "interfaces", reason: String(cString: errbuf))
        }
        defer { pcap_freealldevs(list) }
        var interfaces: [CaptureInterface] = []
        var next = list
        while let device = next {
            let d = device.pointee
            let connection: String? = switch d.flags & UInt32(PCAP_IF_CONNECTION_STATUS) {
            case UInt32(PCAP_IF_CONNECTION_STATUS_CONNECTED): "link up"
            case UInt32(PCAP_IF_CONNECTION_STATUS_DISCONNECTED): "no link"
            case UInt32(PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE): "virtual"
            default: nil
            }
            interfaces.append(CaptureInterface(
                name: String(cString: d.name), description: d.description.map { String(cString: $0) },
                isUp: d.flags & UInt32(PCAP_IF_UP) != 0, isRunning: d.flags & UInt32(PCAP_IF_RUNNING) != 0,
                isLoopback: d.flags & UInt32(PCAP_IF_LOOPBACK) != 0, isWireless: d.flags & UInt32(PCAP_IF_WIRELESS) != 0,
                connection: connection, addresses: addresses(d.addresses)))
            next = d.next
        }
        return interfaces
    }

    private static func addresses(_ first: UnsafeMutablePointer<pcap_addr>?) -> [IPAddress] {
        var result: [IPAddress] = []
        var next = first
        while let entry = next {
            if let socket = entry.pointee.addr {
                switch Int32(socket.pointee.sa_family) {
                case AF_INET:
                    socket.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        result.append(IPAddress(ipv4: UInt32(bigEndian: $0.pointee.sin_addr.s_addr)))
                    }
                case AF_INET6:
                    socket.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        result.append(withUnsafeBytes(of: $0.pointee.sin6_addr) { bytes in
                            IPAddress(high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                                      low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
                        })
                    }
                default:
                    break
                }
            }
            next = entry.pointee.next
        }
        return result
    }
}
