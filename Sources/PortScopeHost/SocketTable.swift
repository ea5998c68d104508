import PortScopeDecode

/// Reads the kernel's socket tables as `/proc/net/{tcp,tcp6,udp,udp6}` print them: a header
/// line, then one socket a line, `sl local_address rem_address st … uid timeout inode …`, each
/// address the hex of its 32-bit words in the kernel's (little-endian) byte order, then `:` and
/// the port in hex.
public enum SocketTable {
    /// The files and what they hold.
    public static let files: [(name: String, proto: IPProtocol)] = [("tcp", .tcp), ("tcp6", .tcp), ("udp", .udp), ("udp6", .udp)]

    /// The sockets of one table's text; lines that are not sockets (the header, damage) are skipped.
    public static func parse(_ text: String, proto: IPProtocol) -> [HostSocket] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 10, let local = endpoint(fields[1]), let remote = endpoint(fields[2]),
                  let state = UInt8(fields[3], radix: 16), let uid = UInt32(fields[7]), let inode = UInt64(fields[9]) else { return nil }
            return HostSocket(proto: proto, local: local.address, localPort: local.port, remote: remote.address, remotePort: remote.port,
                              state: SocketState(rawValue: state), uid: uid, inode: inode)
        }
    }

    /// `0100007F:1F90` → 127.0.0.1, 8080; 32 hex digits for IPv6.
    static func endpoint(_ text: Substring) -> (address: IPAddress, port: UInt16)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16) else { return nil }
        let hex = parts[0]
        func word(_ i: Int) -> UInt32? {
            let start = hex.index(hex.startIndex, offsetBy: i * 8), end = hex.index(start, offsetBy: 8)
            return UInt32(hex[start..<end], radix: 16).map { $0.byteSwapped }
        }
        switch hex.count {
        case 8:
            guard let v4 = word(0) else { return nil }
            return (IPAddress(ipv4: v4), port)
        case 32:
            guard let a = word(0), let b = word(1), let c = word(2), let d = word(3) else { return nil }
            let address = IPAddress(high: UInt64(a) << 32 | UInt64(b), low: UInt64(c) << 32 | UInt64(d))
            return (address, port)
        default:
            return nil
        }
    }
}
