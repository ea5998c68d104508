/// The packet an ICMP destination-unreachable message answers, as the message quotes it (RFC
/// 792: the IP header and the first 8 bytes after it; RFC 4443: as much as fits). Its addresses
/// and ports name the flow the message refuses; they never count as the ICMP packet's own.
public struct QuotedPacket: Sendable, Equatable {
    public var source: IPAddress
    public var destination: IPAddress
    public var proto: IPProtocol
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(source: IPAddress, destination: IPAddress, proto: IPProtocol, sourcePort: UInt16, destinationPort: UInt16) {
        self.source = source
        self.destination = destination
        self.proto = proto
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }
}

extension PacketWalk {
    /// Reads the TCP, UDP or SCTP packet an ICMPv4 type 3 or ICMPv6 type 1 message quotes at
    /// `start` (after the 8-byte ICMP header), when its addresses and ports were captured; nil
    /// otherwise. Never throws: a quote cut short is no error of the ICMP packet.
    @inlinable
    func quotedPacket(at start: Int, version: UInt8) -> QuotedPacket? {
        let limit = end
        if version == 4 {
            guard start + 20 <= limit, bytes.byte(at: start) >> 4 == 4 else { return nil }
            let headerLength = Int(bytes.byte(at: start) & 0x0F) * 4
            let proto = IPProtocol(rawValue: bytes.byte(at: start + 9))
            guard headerLength >= 20, proto.hasPorts, start + headerLength + 4 <= limit else { return nil }
            return QuotedPacket(source: IPAddress(ipv4: bytes.load(bigEndian: UInt32.self, at: start + 12)),
                                destination: IPAddress(ipv4: bytes.load(bigEndian: UInt32.self, at: start + 16)), proto: proto,
                                sourcePort: bytes.load(bigEndian: UInt16.self, at: start + headerLength),
                                destinationPort: bytes.load(bigEndian: UInt16.self, at: start + headerLength + 2))
        }
        guard start + 44 <= limit, bytes.byte(at: start) >> 4 == 6 else { return nil }
        let proto = IPProtocol(rawValue: bytes.byte(at: start + 6))
        guard proto.hasPorts else { return nil }
        func address(_ at: Int) -> IPAddress {
            IPAddress(high: bytes.load(bigEndian: UInt64.self, at: at), low: bytes.load(bigEndian: UInt64.self, at: at + 8))
        }
        return QuotedPacket(source: address(start + 8), destination: address(start + 24), proto: proto,
                            sourcePort: bytes.load(bigEndian: UInt16.self, at: start + 40),
                            destinationPort: bytes.load(bigEndian: UInt16.self, at: start + 42))
    }
}
