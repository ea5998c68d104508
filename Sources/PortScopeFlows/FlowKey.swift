import PortScopeDecode

/// One side of a flow: `a` is the lower (address, port) of the two, `b` the higher.
public enum FlowSide: UInt8, Sendable {
    case a, b
    @inlinable public var other: FlowSide { self == .a ? .b : .a }
}

/// A bidirectional flow's identity: protocol and the two (address, port) endpoints in a
/// canonical order, so both directions of a conversation have the same key.
public struct FlowKey: Hashable, Sendable {
    public var proto: IPProtocol
    public var addressA: IPAddress
    public var addressB: IPAddress
    public var portA: UInt16
    public var portB: UInt16

    @inlinable
    public init(proto: IPProtocol, addressA: IPAddress, portA: UInt16, addressB: IPAddress, portB: UInt16) {
        self.proto = proto
        self.addressA = addressA
        self.addressB = addressB
        self.portA = portA
        self.portB = portB
    }

    /// The key of a packet from `source`:`sourcePort` to `destination`:`destinationPort`, and
    /// which side sent it.
    @inlinable
    public static func canonical(proto: IPProtocol, source: IPAddress, sourcePort: UInt16,
                                 destination: IPAddress, destinationPort: UInt16) -> (FlowKey, FlowSide) {
        if source < destination || (source == destination && sourcePort <= destinationPort) {
            return (FlowKey(proto: proto, addressA: source, portA: sourcePort, addressB: destination, portB: destinationPort), .a)
        }
        return (FlowKey(proto: proto, addressA: destination, portA: destinationPort, addressB: source, portB: sourcePort), .b)
    }

    @inlinable public func address(_ side: FlowSide) -> IPAddress { side == .a ? addressA : addressB }
    @inlinable public func port(_ side: FlowSide) -> UInt16 { side == .a ? portA : portB }

    /// A well-mixed 64-bit hash (multiply–xorshift), cheaper than `Hasher` on the per-packet path.
    @inlinable
    public var mixedHash: UInt64 {
        var h = addressA.high &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ addressA.low ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ addressB.high ^ (h >> 32)) &* 0x94D0_49BB_1331_11EB
        h = (h ^ addressB.low ^ (h >> 29)) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (UInt64(portA) << 24 | UInt64(portB) << 8 | UInt64(proto.rawValue)) ^ (h >> 32)) &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 31)
    }
}
