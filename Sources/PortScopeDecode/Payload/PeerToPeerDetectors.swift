/// BitTorrent: the peer wire handshake (BEP 3), `\x13BitTorrent protocol`, which both peers
/// send, the one that connected first; and DHT messages (BEP 5), bencoded dictionaries whose
/// first key is `a` (query) or `r` (response) holding a 20-byte node id.
enum BitTorrentDetector {
    static func handshake(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        p.count >= 20 && p.byte(at: 0) == 19 && p.matches("BitTorrent protocol", at: 1)
            ? PayloadDetection(.bittorrent, .high, .clientIfFirst) : nil
    }

    static func dht(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        if p.matches("d1:ad2:id20:") { return PayloadDetection(.bittorrent, .high, .client) }
        if p.matches("d1:rd2:id20:") { return PayloadDetection(.bittorrent, .high, .server) }
        return nil
    }
}

/// STUN, RFC 8489: a message type with its two top bits zero, a length that is a multiple of 4
/// (in a datagram, exactly the rest), and the magic cookie 0x2112A442.
enum STUNDetector {
    static let magicCookie: UInt32 = 0x2112_A442

    static func detect(_ p: UnsafeRawBufferPointer, datagram: Bool) -> PayloadDetection? {
        guard p.count >= 20, p.byte(at: 0) & 0xC0 == 0, p.load(bigEndian: UInt32.self, at: 4) == magicCookie else { return nil }
        let length = Int(p.load(bigEndian: UInt16.self, at: 2))
        guard length % 4 == 0, datagram ? length == p.count - 20 : length <= 8192 else { return nil }
        let type = p.load(bigEndian: UInt16.self, at: 0)
        switch (type >> 4) & 0x1 | (type >> 7) & 0x2 {
        case 0: return PayloadDetection(.stun, .high, .client)  // request
        case 1: return PayloadDetection(.stun, .high, .unknown)  // indication
        default: return PayloadDetection(.stun, .high, .server)  // success or error response
        }
    }
}

/// WireGuard's four messages (wireguard.com/protocol): a type byte 1–4, three zero bytes, and
/// the fixed sizes of handshake initiation (148), response (92) and cookie reply (64); transport
/// data is 32 bytes or more in steps of 16.
enum WireGuardDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 32, p.byte(at: 1) == 0, p.byte(at: 2) == 0, p.byte(at: 3) == 0 else { return nil }
        switch (p.byte(at: 0), p.count) {
        case (1, 148): return PayloadDetection(.wireguard, .medium, .client)
        case (2, 92): return PayloadDetection(.wireguard, .medium, .server)
        case (3, 64): return PayloadDetection(.wireguard, .medium, .unknown)
        case (4, let n) where (n - 16) % 16 == 0: return PayloadDetection(.wireguard, .low, .unknown)
        default: return nil
        }
    }
}

/// OpenVPN's reset packets (openvpn.net "protocol"): an opcode in the top five bits (7: client
/// hard reset v2, 10: v3, 8: server hard reset v2) with key id 0, an 8-byte session id, and a
/// small size; over TCP each packet follows a 2-byte length.
enum OpenVPNDetector {
    static func udp(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        reset(p, from: 0)
    }

    static func tcp(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 3, Int(p.load(bigEndian: UInt16.self, at: 0)) == p.count - 2 else { return nil }
        return reset(p, from: 2)
    }

    private static func reset(_ p: UnsafeRawBufferPointer, from start: Int) -> PayloadDetection? {
        let size = p.count - start
        guard (14...160).contains(size) else { return nil }
        switch p.byte(at: start) {
        case 7 << 3, 10 << 3: return PayloadDetection(.openvpn, .low, .client)
        case 8 << 3: return PayloadDetection(.openvpn, .low, .server)
        default: return nil
        }
    }
}

/// SOCKS: a version 5 greeting (RFC 1928: version, method count, that many methods) or a
/// version 4 request (command connect or bind, port, address, NUL-terminated user id).
enum SOCKSDetector {
    /// SOCKS5's method selection reply (RFC 1928 §3): version 5 and the method the server chose
    /// (0 none, 1 GSSAPI, 2 username/password, 255 none acceptable). Two bytes say little alone;
    /// answering a client's SOCKS5 greeting in the same flow, they are SOCKS for sure.
    static func methodReply(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count == 2, p.byte(at: 0) == 5 else { return nil }
        switch p.byte(at: 1) {
        case 0, 1, 2, 0xFF: break
        default: return nil
        }
        return PayloadDetection(.socks, .high, .server)
    }

    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 3 else { return nil }
        switch p.byte(at: 0) {
        case 5:
            let methods = Int(p.byte(at: 1))
            return methods >= 1 && methods <= 16 && p.count == 2 + methods ? PayloadDetection(.socks, .low, .client) : nil
        case 4:
            return p.count >= 9 && p.count <= 300 && (1...2).contains(p.byte(at: 1)) && p.byte(at: p.count - 1) == 0
                ? PayloadDetection(.socks, .low, .client) : nil
        default:
            return nil
        }
    }
}
