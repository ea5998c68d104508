// Transport headers. Ports count once their 4 bytes are inside both the captured bytes and the
// length the IP header declares; a damaged remainder is reported but keeps the ports.
extension PacketWalk {
    @inlinable
    mutating func ports() throws(DecodeError) {
        try need(4)
        packet.sourcePort = bytes.load(bigEndian: UInt16.self, at: offset)
        packet.destinationPort = bytes.load(bigEndian: UInt16.self, at: offset + 2)
        packet.hasPorts = true
    }

    @inlinable
    mutating func setPayload(from start: Int) {
        packet.payloadOffset = start
        packet.payloadLength = max(0, end - start)
        packet.payloadWireLength = max(packet.payloadLength, (declaredEnd == .max ? bytes.count : declaredEnd) - start)
    }

    /// TCP, RFC 9293: ports, sequence number, data offset (at least 5 words), flags.
    @inlinable
    mutating func tcp() throws(DecodeError) {
        layer = .tcp
        try ports()
        try need(8)
        packet.tcpSequence = bytes.load(bigEndian: UInt32.self, at: offset + 4)
        try need(14)
        packet.tcpFlags = TCPFlags(rawValue: bytes.byte(at: offset + 13))
        packet.hasTCPFlags = true
        let headerLength = Int(bytes.byte(at: offset + 12) >> 4) * 4
        guard headerLength >= 20 else { throw .malformed }
        try need(headerLength)
        setPayload(from: offset + headerLength)
    }

    /// UDP, RFC 768: the length field covers header and data — of the whole datagram, so in the
    /// first fragment of a fragmented one it rightly exceeds what that fragment carries.
    @inlinable
    mutating func udp() throws(DecodeError) {
        layer = .udp
        try ports()
        try need(8)
        let length = Int(bytes.load(bigEndian: UInt16.self, at: offset + 4))
        let firstFragment = packet.fragment.moreFragments
        guard length >= 8, firstFragment || offset + length <= declaredEnd || declaredEnd == .max else { throw .malformed }
        let start = offset + 8
        let datagramEnd = firstFragment ? declaredEnd : offset + length
        packet.payloadOffset = start
        packet.payloadLength = max(0, min(end, datagramEnd) - start)
        // A first fragment carries the datagram's first bytes; the rest follows in other fragments.
        let wireEnd = firstFragment ? offset + length : datagramEnd == .max ? bytes.count : datagramEnd
        packet.payloadWireLength = max(packet.payloadLength, wireEnd - start)
    }

    /// SCTP common header, RFC 9260: ports, verification tag, checksum.
    @inlinable
    mutating func sctp() throws(DecodeError) {
        layer = .sctp
        try ports()
        try need(12)
        setPayload(from: offset + 12)
    }

    /// ICMP (RFC 792) / ICMPv6 (RFC 4443): type and code. Headers quoted in an error message
    /// belong to another packet and are not read.
    @inlinable
    mutating func icmp(_ proto: IPProtocol) throws(DecodeError) {
        layer = proto == .icmp ? .icmp : .icmpv6
        try need(4)
        packet.icmpType = bytes.byte(at: offset)
        packet.icmpCode = bytes.byte(at: offset + 1)
        setPayload(from: offset + 4)
        if (proto == .icmp && packet.icmpType == 3) || (proto == .icmpv6 && packet.icmpType == 1) {
            packet.quoted = quotedPacket(at: offset + 8, version: proto == .icmp ? 4 : 6)
        }
    }
}
