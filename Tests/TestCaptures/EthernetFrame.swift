import PortScopeDecode

/// What a test frame carries above IP.
public enum FrameTransport: Sendable {
    /// A TCP header of 20 bytes, window 65535.
    case tcp(sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32, acknowledgment: UInt32, flags: TCPFlags)
    case udp(sourcePort: UInt16, destinationPort: UInt16)
    /// An ICMP echo request or reply (ICMPv6 between IPv6 addresses), identifier 1, sequence 1.
    case echo(reply: Bool)
    /// Another ICMP (ICMPv6) message: its type and code, then 4 zero bytes (an error's unused
    /// field); the payload is what it quotes.
    case icmp(type: UInt8, code: UInt8)
}

/// The payload of a test frame.
public enum FramePayload: Sendable {
    case bytes([UInt8])
    case zeros(Int)

    var count: Int {
        switch self {
        case .bytes(let bytes): bytes.count
        case .zeros(let n): n
        }
    }
}

/// Lays out test frames: Ethernet II (optionally one 802.1Q tag, VLAN 100), IPv4 (20 bytes, DF,
/// TTL 64) or IPv6 (40 bytes, hop limit 64), then TCP, UDP or ICMP echo and the payload.
/// Checksums stay zero: PortScope does not check them.
public enum EthernetFrame {
    /// Appends one frame to `out` (which a caller may reuse, cleared, for every frame).
    /// `linkBroadcast` sends it to the Ethernet broadcast address (a directed broadcast).
    public static func append(to out: inout [UInt8], from source: IPAddress, to destination: IPAddress, vlan: Bool = false,
                              linkBroadcast: Bool = false, _ transport: FrameTransport, payload: FramePayload = .zeros(0)) {
        func byte(_ v: UInt8) { out.append(v) }
        func be16(_ v: Int) { byte(UInt8(v >> 8 & 0xFF)); byte(UInt8(v & 0xFF)) }
        func be32(_ v: UInt32) { be16(Int(v >> 16)); be16(Int(v & 0xFFFF)) }
        func be64(_ v: UInt64) { be32(UInt32(v >> 32)); be32(UInt32(truncatingIfNeeded: v)) }
        let v4 = source.isIPv4
        let destinationMAC: [UInt8] = linkBroadcast ? [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] : [2, 0, 0, 0, 0, 2]
        for b in destinationMAC + [2, 0, 0, 0, 0, 1] { byte(b) }  // destination, source MAC
        if vlan { be16(0x8100); be16(100) }
        be16(v4 ? 0x0800 : 0x86DD)
        let proto: UInt8, header: Int
        switch transport {
        case .tcp: (proto, header) = (6, 20)
        case .udp: (proto, header) = (17, 8)
        case .echo, .icmp: (proto, header) = (v4 ? 1 : 58, 8)
        }
        let transportLength = header + payload.count
        if v4 {
            byte(0x45); byte(0); be16(20 + transportLength); be16(1); be16(0x4000); byte(64); byte(proto); be16(0)
            be32(source.ipv4Value); be32(destination.ipv4Value)
        } else {
            be32(0x6000_0000); be16(transportLength); byte(proto); byte(64)
            be64(source.high); be64(source.low); be64(destination.high); be64(destination.low)
        }
        switch transport {
        case .tcp(let sourcePort, let destinationPort, let sequence, let acknowledgment, let flags):
            be16(Int(sourcePort)); be16(Int(destinationPort)); be32(sequence); be32(acknowledgment)
            byte(0x50); byte(flags.rawValue); be16(0xFFFF); be16(0); be16(0)
        case .udp(let sourcePort, let destinationPort):
            be16(Int(sourcePort)); be16(Int(destinationPort)); be16(transportLength); be16(0)
        case .echo(let reply):
            byte(v4 ? (reply ? 0 : 8) : (reply ? 129 : 128)); byte(0); be16(0); be16(1); be16(1)
        case .icmp(let type, let code):
            byte(type); byte(code); be16(0); be32(0)
        }
        switch payload {
        case .bytes(let bytes): out += bytes
        case .zeros(let n): out.append(contentsOf: repeatElement(0, count: n))
        }
    }

    /// One frame as a new array.
    public static func make(from source: IPAddress, to destination: IPAddress, vlan: Bool = false, linkBroadcast: Bool = false,
                            _ transport: FrameTransport, payload: FramePayload = .zeros(0)) -> [UInt8] {
        var out: [UInt8] = []
        append(to: &out, from: source, to: destination, vlan: vlan, linkBroadcast: linkBroadcast, transport, payload: payload)
        return out
    }
}

extension EthernetFrame {
    /// The bytes an ICMP error quotes of `frame` (an untagged one from `make`): its IP header and
    /// the first 8 bytes after it.
    public static func quote(of frame: [UInt8]) -> [UInt8] {
        let ip = Array(frame.dropFirst(14))
        let header = ip.first.map { $0 >> 4 == 4 ? Int($0 & 0x0F) * 4 : 40 } ?? 0
        return Array(ip.prefix(header + 8))
    }
}
