/// QUIC long headers (RFC 9000 §17.2, RFC 9369 v2, and Google QUIC's `Q0xx` versions): the
/// header form and fixed bits, a known version, connection ids of at most 20 bytes (Q046 still
/// packs both lengths in one byte, as early IETF drafts did). Short headers carry nothing to
/// recognise. Google QUIC before Q046 has its own public header (`gquic`).
enum QUICDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 7 else { return nil }
        guard p.byte(at: 0) & 0x80 != 0 else { return gquic(p) }
        let version = p.load(bigEndian: UInt32.self, at: 1)
        if version == 0 { return p.count >= 11 ? PayloadDetection(.quic, .medium, .unknown) : nil }  // version negotiation
        guard p.byte(at: 0) & 0x40 != 0, isKnown(version) else { return nil }
        let destinationLength = Int(p.byte(at: 5))
        guard destinationLength <= 20 else { return isGoogle(version) ? packedLengths(p) : nil }
        let sourceAt = 6 + destinationLength
        guard sourceAt < p.count else { return PayloadDetection(.quic, .medium, .unknown) }
        return p.byte(at: sourceAt) <= 20 ? PayloadDetection(.quic, .high, .unknown) : nil
    }

    /// Q046's long header: one byte holds both connection id lengths, each 0 or 3 more than its
    /// 4-bit value; Google's client sends an 8-byte destination id and no source id.
    private static func packedLengths(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        let lengths = p.byte(at: 5)
        let destination = lengths >> 4, source = lengths & 0x0F
        guard destination == 0 || destination >= 5, source == 0 || source >= 5 else { return nil }
        return PayloadDetection(.quic, .high, .unknown)
    }

    /// Google QUIC's public header (Q043 and before): public flags with bit 0x80 clear and no
    /// reset, the 8-byte connection id, then — in a client's packets only — the version `Q0xx`.
    private static func gquic(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        let flags = p.byte(at: 0)
        guard flags & 0x0B == 0x09, p.count >= 13, isGoogle(p.load(bigEndian: UInt32.self, at: 9)) else { return nil }
        return PayloadDetection(.quic, .high, .client)
    }

    /// v1, v2, IETF drafts (0xff0000xx), and Google's `Q0xx` / `T0xx`.
    static func isKnown(_ version: UInt32) -> Bool {
        version == 0x0000_0001 || version == 0x6B33_43CF || version & 0xFFFF_FF00 == 0xFF00_0000 || isGoogle(version)
    }

    /// `Q0xx` and `T0xx`: three digits after the letter.
    static func isGoogle(_ version: UInt32) -> Bool {
        let first = UInt8(version >> 24)
        return (first == 0x51 || first == 0x54) && isDigit(UInt8(version >> 16 & 0xFF))
            && isDigit(UInt8(version >> 8 & 0xFF)) && isDigit(UInt8(version & 0xFF))
    }
}

/// NTP, RFC 5905: a 48-byte header (plus extension fields or a MAC) with version 1–4, a
/// stratum of at most 16 and a mode (3 client, 4 server, 5 broadcast server); or a control
/// message (mode 6, RFC 9327: an opcode, and a data count that fits) or a private one (mode 7,
/// ntpdc: implementation 0, 2 or 3), whose response bit names its sender. A loose shape: low
/// confidence.
enum NTPDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 8, p.count <= 1024 else { return nil }
        let version = (p.byte(at: 0) >> 3) & 0x7, mode = p.byte(at: 0) & 0x7
        guard (1...4).contains(version) else { return nil }
        switch mode {
        case 6:
            guard p.count >= 12, p.byte(at: 1) & 0x1F != 0,
                  12 + Int(p.load(bigEndian: UInt16.self, at: 10)) <= p.count else { return nil }
            return PayloadDetection(.ntp, .low, p.byte(at: 1) & 0x80 != 0 ? .server : .client)
        case 7:
            let implementation = p.byte(at: 2)
            guard implementation == 0 || implementation == 2 || implementation == 3, p.byte(at: 3) < 64 else { return nil }
            return PayloadDetection(.ntp, .low, p.byte(at: 0) & 0x80 != 0 ? .server : .client)
        default: break
        }
        guard p.count >= 48, (p.count - 48) % 4 == 0, p.byte(at: 1) <= 16 else { return nil }
        switch mode {
        case 3: return PayloadDetection(.ntp, .low, .client)
        case 4, 5: return PayloadDetection(.ntp, .low, .server)
        case 1, 2: return PayloadDetection(.ntp, .low, .unknown)
        default: return nil
        }
    }
}

/// DHCP, RFC 2131: op 1 (request) or 2 (reply), a hardware address length that fits its field,
/// and the magic cookie 0x63825363 at offset 236. Cut before the cookie, the fixed fields alone
/// are a low-confidence shape.
enum DHCPDetector {
    static let magicCookie: UInt32 = 0x6382_5363

    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 28, (1...2).contains(p.byte(at: 0)), p.byte(at: 2) <= 16, p.byte(at: 3) <= 16 else { return nil }
        let role: PayloadRole = p.byte(at: 0) == 1 ? .client : .server
        guard p.count >= 240 else { return p.byte(at: 1) == 1 && p.byte(at: 2) == 6 ? PayloadDetection(.dhcp, .low, role) : nil }
        return p.load(bigEndian: UInt32.self, at: 236) == magicCookie ? PayloadDetection(.dhcp, .high, role) : nil
    }
}
