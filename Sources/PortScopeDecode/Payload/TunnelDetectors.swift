/// Tunnel headers carried over UDP. A tunnel's payload is a whole packet or frame, so the check
/// that makes a detection sure is the start of what it carries: an Ethernet header with a known
/// EtherType, or an IP version nibble. Cut before that, the header alone is a loose shape
/// (medium on the tunnel's port). Both ends of a tunnel send the same headers: no role.
enum TunnelDetectors {
    /// VXLAN, RFC 7348 §5: flags with the I bit (and VXLAN-GBP's G bit, draft-smith-vxlan-group-policy),
    /// reserved fields zero, a 24-bit VNI, then the inner Ethernet frame.
    static func vxlan(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 8, p.byte(at: 0) & 0x77 == 0, p.byte(at: 0) & 0x08 != 0, p.byte(at: 7) == 0 else { return nil }
        // Without the G bit, the 24 bits after the flags are reserved.
        if p.byte(at: 0) & 0x80 == 0 { guard p.byte(at: 1) == 0, p.load(bigEndian: UInt16.self, at: 2) == 0 else { return nil } }
        return carried(p, at: 8, .transparentEthernet, as: .vxlan)
    }

    /// Geneve, RFC 8926 §3.4: version 0, an option length in 4-byte words, the O and C bits with
    /// the rest reserved, the protocol type of what follows (an EtherType), a 24-bit VNI.
    static func geneve(_ p: UnsafeRawBufferPointer, wireLength: Int) -> PayloadDetection? {
        guard p.count >= 8, p.byte(at: 0) >> 6 == 0, p.byte(at: 1) & 0x3F == 0, p.byte(at: 7) == 0 else { return nil }
        let inner = EtherType(rawValue: p.load(bigEndian: UInt16.self, at: 2))
        guard inner == .transparentEthernet || inner == .ipv4 || inner == .ipv6 else { return nil }
        let headerLength = 8 + 4 * Int(p.byte(at: 0) & 0x3F)
        guard headerLength <= wireLength else { return nil }
        // A control message (O bit) may carry no packet at all.
        if headerLength == wireLength { return p.byte(at: 1) & 0x80 != 0 ? PayloadDetection(.geneve, .low, .unknown) : nil }
        return carried(p, at: headerLength, inner, as: .geneve)
    }

    /// GTP-U, 3GPP TS 29.281 §5.1: version 1 with the protocol type bit, a message type it
    /// defines, and a length that counts exactly the bytes after the first eight. A G-PDU (255)
    /// carries an IP packet, after the optional sequence number, N-PDU number and extension
    /// headers (each sized in 4-byte words, its last byte naming the next type).
    static func gtpu(_ p: UnsafeRawBufferPointer, wireLength: Int) -> PayloadDetection? {
        guard p.count >= 8, p.byte(at: 0) & 0xF8 == 0x30 else { return nil }
        let type = p.byte(at: 1)
        switch type {
        case 1, 2, 26, 31, 253, 254, 255: break  // echo, error indication, notifications, end marker, G-PDU
        default: return nil
        }
        guard 8 + Int(p.load(bigEndian: UInt16.self, at: 2)) == wireLength else { return nil }
        guard type == 255 else { return PayloadDetection(.gtpu, .low, .unknown) }
        var at = 8
        if p.byte(at: 0) & 0x07 != 0 {
            at = 12
            var next: UInt8 = p.byte(at: 0) & 0x04 != 0 && p.count >= 12 ? p.byte(at: 11) : 0
            while next != 0 {
                guard at < p.count else { return PayloadDetection(.gtpu, .low, .unknown) }
                let words = Int(p.byte(at: at))
                guard words > 0 else { return nil }
                at += 4 * words
                guard at <= p.count else { return PayloadDetection(.gtpu, .low, .unknown) }
                next = p.byte(at: at - 1)
            }
        }
        return carried(p, at: at, .ipv4, as: .gtpu)
    }

    /// The detection of `tunnel` whose header ends at `at`, from the start of the packet it carries
    /// (`inner`: an Ethernet frame, or an IPv4 or IPv6 packet, where a GTP-U one may be either).
    private static func carried(_ p: UnsafeRawBufferPointer, at: Int, _ inner: EtherType, as tunnel: AppProtocol) -> PayloadDetection? {
        if inner == .transparentEthernet {
            guard at + 14 <= p.count else { return PayloadDetection(tunnel, .low, .unknown) }
            let type = EtherType(rawValue: p.load(bigEndian: UInt16.self, at: at + 12))
            let known = type == .ipv4 || type == .ipv6 || type == .arp || type.isVLANTag
            return known ? PayloadDetection(tunnel, .high, .unknown) : nil
        }
        guard at < p.count else { return PayloadDetection(tunnel, .low, .unknown) }
        let version = p.byte(at: at) >> 4
        let fits = tunnel == .gtpu ? version == 4 || version == 6 : (inner == .ipv4 ? version == 4 : version == 6)
        return fits ? PayloadDetection(tunnel, .high, .unknown) : nil
    }
}
