import CCrypto
import PortScopeDecode

/// A flow's Community ID, version 1 (corelight/community-id-spec): the key Zeek, Suricata,
/// Arkime and Elastic share, so one flow can be joined across their records.
///
/// SHA-1 over seed (2 bytes), the two addresses and, for protocols with ports, the two ports, in
/// a canonical order; ICMP and ICMPv6 use the type and the reply type (or the code, for a
/// message that has no reply) as ports, as Zeek does. Rendered `1:` + base64.
public enum CommunityID {
    /// The Community ID of `flow` with `seed`. ICMP flows take the type and code of their first
    /// packet, as sent by its sender.
    public static func of(_ flow: FlowRecord, seed: UInt16 = 0) -> String {
        let key = flow.key
        switch key.proto {
        case .icmp, .icmpv6:
            let source = flow.firstSender
            let (sport, dport, oneWay) = icmpPorts(type: flow.icmpType, code: flow.icmpCode, v6: key.proto == .icmpv6)
            return compute(seed: seed, proto: key.proto, source: key.address(source), destination: key.address(source.other),
                           ports: (sport, dport), oneWay: oneWay)
        default:
            // The flow key already orders its ends by address, then port.
            return compute(seed: seed, proto: key.proto, source: key.addressA, destination: key.addressB,
                           ports: key.proto.hasPorts ? (key.portA, key.portB) : nil, oneWay: true)
        }
    }

    /// The Community ID of a packet from `source` to `destination` (ports: TCP, UDP and SCTP
    /// ports, or ICMP's type and code; nil for other protocols).
    public static func compute(seed: UInt16, proto: IPProtocol, source: IPAddress, sourcePort: UInt16?,
                               destination: IPAddress, destinationPort: UInt16?) -> String {
        if proto == .icmp || proto == .icmpv6, let type = sourcePort, let code = destinationPort {
            let (sport, dport, oneWay) = icmpPorts(type: UInt8(truncatingIfNeeded: type), code: UInt8(truncatingIfNeeded: code),
                                                   v6: proto == .icmpv6)
            return compute(seed: seed, proto: proto, source: source, destination: destination, ports: (sport, dport), oneWay: oneWay)
        }
        let ports = sourcePort.flatMap { s in destinationPort.map { (s, $0) } }
        return compute(seed: seed, proto: proto, source: source, destination: destination, ports: ports, oneWay: false)
    }

    /// Hashes the tuple, first putting the lower (address, port) end first unless `oneWay`.
    private static func compute(seed: UInt16, proto: IPProtocol, source: IPAddress, destination: IPAddress,
                                ports: (UInt16, UInt16)?, oneWay: Bool) -> String {
        var (s, d, p) = (source, destination, ports)
        let ordered = s < d || (s == d && p.map { $0.0 < $0.1 } ?? false)
        if !oneWay && !ordered {
            (s, d) = (d, s)
            p = p.map { ($0.1, $0.0) }
        }
        // At most 2 + 16 + 16 + 2 + 4 bytes, hashed from the stack (a flush computes one per flow).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40 + 20) { buffer in
            var count = 0
            func append(_ byte: UInt8) {
                buffer[count] = byte
                count += 1
            }
            func append16(_ v: UInt16) {
                append(UInt8(v >> 8))
                append(UInt8(truncatingIfNeeded: v))
            }
            func append(_ address: IPAddress) {
                if address.isIPv4 {
                    let v = address.ipv4Value
                    for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
                } else {
                    for shift in stride(from: 56, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: address.high >> UInt64(shift))) }
                    for shift in stride(from: 56, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: address.low >> UInt64(shift))) }
                }
            }
            append16(seed)
            append(s)
            append(d)
            append(proto.rawValue)
            append(0)
            if let (sp, dp) = p {
                append16(sp)
                append16(dp)
            }
            let digest = UnsafeMutableBufferPointer(rebasing: buffer[40...])
            var length: UInt32 = 0
            let done = EVP_Digest(buffer.baseAddress, count, digest.baseAddress, &length, sha1, nil)
            precondition(done == 1 && length == 20, "OpenSSL could not compute SHA-1")
            // "1:" and 28 base64 characters.
            return String(unsafeUninitializedCapacity: 30) { text in
                text[0] = UInt8(ascii: "1")
                text[1] = UInt8(ascii: ":")
                return 2 + base64(UnsafeBufferPointer(digest), into: UnsafeMutableBufferPointer(rebasing: text[2...]))
            }
        }
    }

    /// ICMP's port equivalents, as Zeek maps them: a request or reply type pairs with its
    /// counterpart (then the tuple is ordered like any two-way flow); another type is one-way,
    /// with its code as the second port.
    static func icmpPorts(type: UInt8, code: UInt8, v6: Bool) -> (UInt16, UInt16, oneWay: Bool) {
        let pairs: [UInt8: UInt8] = v6
            ? [128: 129, 129: 128, 130: 131, 131: 130, 133: 134, 134: 133, 135: 136, 136: 135, 139: 140, 140: 139, 144: 145, 145: 144]
            : [8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17]
        if let reply = pairs[type] { return (UInt16(type), UInt16(reply), false) }
        return (UInt16(type), UInt16(code), true)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding.
    static func base64(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { bytes in
            String(unsafeUninitializedCapacity: (bytes.count + 2) / 3 * 4) { base64(bytes, into: $0) }
        }
    }

    /// Writes `bytes` in standard base64 with padding to the start of `out` (room for
    /// `(bytes.count + 2) / 3 * 4`); returns how many it wrote.
    static func base64(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var i = 0, written = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let chunk = UInt32(bytes[i]) << 16 | (n > 1 ? UInt32(bytes[i + 1]) << 8 : 0) | (n > 2 ? UInt32(bytes[i + 2]) : 0)
            for j in 0..<4 {
                out[written] = j <= n ? alphabet[Int((chunk >> UInt32(18 - 6 * j)) & 63)] : UInt8(ascii: "=")
                written += 1
            }
            i += 3
        }
        return written
    }
}

/// SHA-1 fetched once: with `EVP_sha1()` OpenSSL 3 looks its implementation up again for every
/// digest, under a lock. Immutable once fetched, so shared by every thread.
nonisolated(unsafe) private let sha1 = EVP_MD_fetch(nil, "SHA1", nil)
