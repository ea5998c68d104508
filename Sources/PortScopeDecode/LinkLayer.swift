// Link-layer headers: the per-link-type entry point, Ethernet with its tags and labels, PPP.
extension PacketWalk {
    @inlinable
    mutating func link(_ linkType: LinkType) throws(DecodeError) -> NextHeader {
        layer = .link
        switch linkType {
        case .ethernet:
            return .ethernet
        case .raw, .rawBSD12, .rawBSD14:
            return .ipByVersion
        case .ipv4:
            return .ipv4
        case .ipv6:
            return .ipv6
        case .null, .loop:
            try need(4)
            var family = bytes.load(bigEndian: UInt32.self, at: 0)
            // The family is in the writing host's byte order for NULL; no family exceeds 16 bits.
            if family > 0xFFFF { family = family.byteSwapped }
            offset = 4
            if family == 2 { return .ipv4 }
            // IPv6 is AF_INET6: 10 on Linux, 24 NetBSD/OpenBSD, 28 FreeBSD, 30 Darwin.
            if family == 10 || family == 24 || family == 28 || family == 30 { return .ipv6 }
            // Some writers put an EtherType in the low half instead (as Wireshark also accepts).
            let type = EtherType(rawValue: bytes.load(bigEndian: UInt16.self, at: 2))
            if type == .ipv4 || type == .ipv6 { return .etherType(type) }
            throw .unsupported
        case .linuxSLL:
            // packet type, ARPHRD type, address length, 8 address bytes, protocol.
            try need(16)
            offset = 16
            // Packet types 1 and 2: sent to the link's broadcast or a multicast address.
            let packetType = bytes.load(bigEndian: UInt16.self, at: 0)
            packet.linkGroupDestination = packetType == 1 || packetType == 2
            return .etherType(EtherType(rawValue: bytes.load(bigEndian: UInt16.self, at: 14)))
        case .linuxSLL2:
            // protocol, reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes.
            try need(20)
            offset = 20
            let packetType = bytes.byte(at: 10)
            packet.linkGroupDestination = packetType == 1 || packetType == 2
            return .etherType(EtherType(rawValue: bytes.load(bigEndian: UInt16.self, at: 0)))
        case .ppp, .pppHDLC:
            return .pppProtocol
        case .ciscoHDLC:
            // address, control, protocol (an EtherType).
            try need(4)
            offset = 4
            return .etherType(EtherType(rawValue: bytes.load(bigEndian: UInt16.self, at: 2)))
        case .nflog:
            return try nflog()
        case .radiotap:
            // version, pad, length (little-endian), present flags…: skip `length` bytes.
            try need(4)
            offset = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
            return try ieee80211()
        case .ieee80211:
            return try ieee80211()
        default:
            layer = .linkType
            throw .unsupported
        }
    }

    /// Ethernet II: destination, source, type.
    @inlinable
    mutating func ethernet() throws(DecodeError) -> NextHeader {
        layer = .link
        try need(14)
        let type = bytes.load(bigEndian: UInt16.self, at: offset + 12)
        // The group bit of the destination MAC: broadcast (ff:ff:ff:ff:ff:ff) or multicast.
        packet.linkGroupDestination = bytes.byte(at: offset) & 1 != 0
        offset += 14
        return .etherType(EtherType(rawValue: type))
    }

    @inlinable
    mutating func etherType(_ type: EtherType) throws(DecodeError) -> NextHeader {
        switch type {
        case .ipv4: return .ipv4
        case .ipv6: return .ipv6
        case .mplsUnicast, .mplsMulticast: return .mpls
        case .transparentEthernet: return .ethernet
        case .pppoeSession:
            // version/type, code, session id, length; then the PPP protocol field.
            layer = .pppoe
            try need(6)
            guard bytes.byte(at: offset + 1) == 0 else { throw .malformed }
            offset += 6
            return .pppProtocol
        default:
            if type.isVLANTag {
                layer = .vlan
                try need(4)
                let inner = bytes.load(bigEndian: UInt16.self, at: offset + 2)
                offset += 4
                return .etherType(EtherType(rawValue: inner))
            }
            if type.isLength {
                // 802.3 with an LLC header.
                return try snap()
            }
            layer = .etherType
            throw .unsupported
        }
    }

    /// The PPP protocol field, after optional HDLC address/control bytes (FF 03, RFC 1662) and
    /// in its compressed one-byte form (RFC 1661 §6.5).
    @inlinable
    mutating func pppProtocol() throws(DecodeError) -> NextHeader {
        layer = .ppp
        try need(2)
        if bytes.byte(at: offset) == 0xFF && bytes.byte(at: offset + 1) == 0x03 {
            offset += 2
            try need(1)
        }
        let proto: UInt16
        if bytes.byte(at: offset) & 1 == 1 {
            proto = UInt16(bytes.byte(at: offset))
            offset += 1
        } else {
            try need(2)
            proto = bytes.load(bigEndian: UInt16.self, at: offset)
            offset += 2
        }
        switch proto {
        case 0x0021: return .ipv4
        case 0x0057: return .ipv6
        case 0x0281, 0x0283: return .mpls
        default: throw .unsupported
        }
    }

    /// An MPLS label stack (RFC 3032), then IP by its version nibble, or an Ethernet
    /// pseudowire behind a control word (RFC 4448).
    @inlinable
    mutating func mpls() throws(DecodeError) -> NextHeader {
        layer = .mpls
        while true {
            try need(4)
            let entry = bytes.load(bigEndian: UInt32.self, at: offset)
            offset += 4
            if entry & 0x100 != 0 { break }
        }
        try need(1)
        switch bytes.byte(at: offset) >> 4 {
        case 4: return .ipv4
        case 6: return .ipv6
        case 0:
            offset += 4
            return .ethernet
        default: throw .unsupported
        }
    }

    @inlinable
    mutating func ipByVersion() throws(DecodeError) -> NextHeader {
        layer = .link
        try need(1)
        switch bytes.byte(at: offset) >> 4 {
        case 4: return .ipv4
        case 6: return .ipv6
        default: throw .malformed
        }
    }

    /// An IEEE 802.11 data frame: MAC header (24 bytes, 30 with four addresses, +2 QoS control,
    /// +4 HT control), then LLC/SNAP carrying an EtherType. Other frames carry no IP.
    @inlinable
    mutating func ieee80211() throws(DecodeError) -> NextHeader {
        try need(24)
        let control = bytes.byte(at: offset), flags = bytes.byte(at: offset + 1)
        let type = (control >> 2) & 0x3, subtype = control >> 4
        guard type == 2 else { throw .unsupported }  // management and control frames
        guard flags & 0x40 == 0 else { throw .unsupported }  // protected: payload encrypted
        var length = flags & 0x03 == 0x03 ? 30 : 24
        if subtype & 0x8 != 0 {
            length += 2
            if flags & 0x80 != 0 { length += 4 }
        }
        guard subtype & 0x4 == 0 else { throw .unsupported }  // null data: no payload
        offset += length
        return try snap()
    }

    /// An LLC header: only SNAP (DSAP AA, SSAP AA, control 03, OUI, EtherType) leads on.
    @inlinable
    mutating func snap() throws(DecodeError) -> NextHeader {
        layer = .etherType
        try need(8)
        guard bytes.byte(at: offset) == 0xAA, bytes.byte(at: offset + 1) == 0xAA,
              bytes.byte(at: offset + 2) == 0x03 else { throw .unsupported }
        let inner = bytes.load(bigEndian: UInt16.self, at: offset + 6)
        offset += 8
        return .etherType(EtherType(rawValue: inner))
    }

    /// Linux NFLOG: family, version, resource id, then TLVs (length and type in the capturing
    /// host's order, little-endian in practice); type 9 holds the packet.
    @inlinable
    mutating func nflog() throws(DecodeError) -> NextHeader {
        try need(4)
        let family = bytes.byte(at: 0)
        offset = 4
        while true {
            try need(4)
            let length = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
            let type = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self)) & 0x7FFF
            guard length >= 4 else { throw .malformed }
            if type == 9 {
                declaredEnd = offset + length
                offset += 4
                switch family {
                case 2: return .ipv4
                case 10: return .ipv6
                default: throw .unsupported
                }
            }
            offset += (length + 3) & ~3
        }
    }
}
