// IPv4, IPv6 with its extension headers, and the IP-level tunnels looked through (IP-in-IP, GRE).
extension PacketWalk {
    @inlinable
    mutating func enterIPHeader(_ layer: DecodeLayer) throws(DecodeError) {
        self.layer = layer
        ipHeaders += 1
        guard ipHeaders <= PacketWalk.maxIPHeaders else {
            self.layer = .tunnel
            throw .malformed
        }
        packet.tunnelDepth = UInt8(ipHeaders - 1)
        packet.fragment = .none
        packet.hasPorts = false
    }

    /// IPv4, RFC 791. A total length of 0 is taken as "as captured" (TCP segmentation offload).
    @inlinable
    mutating func ipv4() throws(DecodeError) -> NextHeader {
        // An IPv6 header where IPv4 was announced is read as IPv6, as Wireshark does.
        if offset < end && bytes.byte(at: offset) >> 4 == 6 { return .ipv6 }
        try enterIPHeader(.ipv4)
        try need(20)
        let start = offset
        let versionAndLength = bytes.byte(at: start)
        guard versionAndLength >> 4 == 4 else { throw .malformed }
        let headerLength = Int(versionAndLength & 0x0F) * 4
        guard headerLength >= 20 else { throw .malformed }
        try need(headerLength)
        let totalLength = Int(bytes.load(bigEndian: UInt16.self, at: start + 2))
        if totalLength != 0 {
            guard totalLength >= headerLength else { throw .malformed }
            declaredEnd = min(declaredEnd, start + totalLength)
        }
        let flagsAndOffset = bytes.load(bigEndian: UInt16.self, at: start + 6)
        let proto = IPProtocol(rawValue: bytes.byte(at: start + 9))
        packet.ipVersion = 4
        packet.ipLength = (declaredEnd == .max ? bytes.count : declaredEnd) - start
        packet.ipHeaderLength = headerLength
        packet.source = IPAddress(ipv4: bytes.load(bigEndian: UInt32.self, at: start + 12))
        packet.destination = IPAddress(ipv4: bytes.load(bigEndian: UInt32.self, at: start + 16))
        packet.ipProtocol = proto
        let fragmentOffset = UInt32(flagsAndOffset & 0x1FFF) * 8
        let more = flagsAndOffset & 0x2000 != 0
        if more || fragmentOffset != 0 {
            packet.fragment = .init(identification: UInt32(bytes.load(bigEndian: UInt16.self, at: start + 4)),
                                    offset: fragmentOffset, moreFragments: more, isFragment: true)
            if fragmentOffset != 0 { return .done }
        }
        offset = start + headerLength
        return .ipProtocol(proto)
    }

    /// IPv6, RFC 8200. A payload length of 0 means a jumbogram only with a hop-by-hop jumbo
    /// option (RFC 2675); otherwise there is no payload.
    @inlinable
    mutating func ipv6() throws(DecodeError) -> NextHeader {
        try enterIPHeader(.ipv6)
        try need(40)
        let start = offset
        guard bytes.byte(at: start) >> 4 == 6 else { throw .malformed }
        let payloadLength = Int(bytes.load(bigEndian: UInt16.self, at: start + 4))
        let next = IPProtocol(rawValue: bytes.byte(at: start + 6))
        packet.ipVersion = 6
        packet.source = IPAddress(high: bytes.load(bigEndian: UInt64.self, at: start + 8),
                                  low: bytes.load(bigEndian: UInt64.self, at: start + 16))
        packet.destination = IPAddress(high: bytes.load(bigEndian: UInt64.self, at: start + 24),
                                       low: bytes.load(bigEndian: UInt64.self, at: start + 32))
        packet.ipProtocol = next
        offset = start + 40
        let length = payloadLength != 0 ? payloadLength : (next == .hopByHop ? jumboPayloadLength() : 0)
        declaredEnd = min(declaredEnd, offset + length)
        packet.ipLength = declaredEnd - start
        packet.ipHeaderLength = 40
        return .ipProtocol(next)
    }

    /// The jumbo payload length from the hop-by-hop header at `offset`, or 0 if there is none.
    @inlinable
    func jumboPayloadLength() -> Int {
        guard offset + 2 <= bytes.count else { return 0 }
        let headerEnd = min(offset + (Int(bytes.byte(at: offset + 1)) + 1) * 8, bytes.count)
        var option = offset + 2
        while option < headerEnd {
            let type = bytes.byte(at: option)
            if type == 0 { option += 1; continue }  // Pad1
            guard option + 2 <= headerEnd else { return 0 }
            let length = Int(bytes.byte(at: option + 1))
            if type == 0xC2 && length == 4 && option + 6 <= headerEnd {
                return Int(bytes.load(bigEndian: UInt32.self, at: option + 2))
            }
            option += 2 + length
        }
        return 0
    }

    /// Dispatches on an IP protocol / next-header value: walks IPv6 extension headers and AH,
    /// enters tunnels, and reads the transport header.
    @inlinable
    mutating func ipProtocol(_ proto: IPProtocol) throws(DecodeError) -> NextHeader {
        packet.ipProtocol = proto
        switch proto {
        case .tcp: try tcp(); return .done
        case .udp: try udp(); return .done
        case .sctp: try sctp(); return .done
        case .icmp, .icmpv6: try icmp(proto); return .done
        case .hopByHop, .routing, .destinationOptions:
            layer = .ipv6Extension
            try need(2)
            let next = IPProtocol(rawValue: bytes.byte(at: offset))
            let length = (Int(bytes.byte(at: offset + 1)) + 1) * 8
            try need(length)
            offset += length
            return .ipProtocol(next)
        case .fragment:
            layer = .ipv6Extension
            try need(8)
            let next = IPProtocol(rawValue: bytes.byte(at: offset))
            let offsetAndFlags = bytes.load(bigEndian: UInt16.self, at: offset + 2)
            let fragmentOffset = UInt32(offsetAndFlags & 0xFFF8)
            let more = offsetAndFlags & 1 != 0
            // An atomic fragment (offset 0, no more fragments, RFC 6946) is a whole packet.
            if more || fragmentOffset != 0 {
                packet.fragment = .init(identification: bytes.load(bigEndian: UInt32.self, at: offset + 4),
                                        offset: fragmentOffset, moreFragments: more, isFragment: true)
            }
            offset += 8
            packet.ipProtocol = next
            return fragmentOffset != 0 ? .done : .ipProtocol(next)
        case .ah:
            // RFC 4302: next header, payload length in 32-bit words minus 2.
            layer = .ipProtocol
            try need(2)
            let next = IPProtocol(rawValue: bytes.byte(at: offset))
            let length = (Int(bytes.byte(at: offset + 1)) + 2) * 4
            try need(length)
            offset += length
            return .ipProtocol(next)
        case .esp, .noNextHeader:
            return .done
        case .ipv4:
            return .ipv4
        case .ipv6:
            return .ipv6
        case .gre:
            return try gre()
        default:
            layer = .ipProtocol
            throw .unsupported
        }
    }

    /// GRE, RFC 2784/2890 (version 0) and the PPTP variant, RFC 2637 (version 1).
    @inlinable
    mutating func gre() throws(DecodeError) -> NextHeader {
        layer = .gre
        try need(4)
        let flags = bytes.load(bigEndian: UInt16.self, at: offset)
        let type = EtherType(rawValue: bytes.load(bigEndian: UInt16.self, at: offset + 2))
        var length = 4
        switch flags & 0x0007 {
        case 0:
            guard flags & 0x4000 == 0 else { throw .unsupported }  // source routing (RFC 1701)
            if flags & 0x8000 != 0 { length += 4 }  // checksum + reserved
            if flags & 0x2000 != 0 { length += 4 }  // key
            if flags & 0x1000 != 0 { length += 4 }  // sequence number
        case 1:
            length += 4  // payload length + call id (key field, always present)
            if flags & 0x1000 != 0 { length += 4 }
            if flags & 0x0080 != 0 { length += 4 }  // acknowledgment number
        default:
            throw .unsupported
        }
        try need(length)
        offset += length
        switch type {
        case .ipv4: return .ipv4
        case .ipv6: return .ipv6
        case .transparentEthernet: return .ethernet
        case .ppp: return .pppProtocol
        case .mplsUnicast, .mplsMulticast: return .mpls
        case .erspanII:
            // Type I has no header and no sequence number; type II an 8-byte header.
            if flags & 0x1000 != 0 {
                try need(8)
                offset += 8
            }
            return .ethernet
        case .erspanIII:
            // 12-byte header, plus an 8-byte platform sub-header when the O bit is set.
            try need(12)
            let optional = bytes.byte(at: offset + 11) & 0x01 != 0
            offset += optional ? 20 : 12
            return .ethernet
        default:
            throw .unsupported
        }
    }
}
