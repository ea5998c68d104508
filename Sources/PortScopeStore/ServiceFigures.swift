/// The figures of a `host_services` row, summed over flows: client-to-server (c2s) and back
/// (s2c). The store sums inserted flows with it; reports sum query rows with it.
public struct ServiceFigures: Sendable, Equatable {
    public var flows: Int64 = 0
    public var handshakes: Int64 = 0
    public var packetsC2S: Int64 = 0
    public var bytesC2S: Int64 = 0
    public var packetsS2C: Int64 = 0
    public var bytesS2C: Int64 = 0
    public var first = Int64.max
    public var last = Int64.min

    public init(flows: Int64 = 0, handshakes: Int64 = 0, packetsC2S: Int64 = 0, bytesC2S: Int64 = 0,
                packetsS2C: Int64 = 0, bytesS2C: Int64 = 0, first: Int64 = .max, last: Int64 = .min) {
        self.flows = flows
        self.handshakes = handshakes
        self.packetsC2S = packetsC2S
        self.bytesC2S = bytesC2S
        self.packetsS2C = packetsS2C
        self.bytesS2C = bytesS2C
        self.first = first
        self.last = last
    }

    public var packets: Int64 { packetsC2S.saturatingAdd(packetsS2C) }
    public var bytes: Int64 { bytesC2S.saturatingAdd(bytesS2C) }

    /// Sums saturate: real traffic never comes near, and a tampered database must not trap.
    public mutating func add(_ other: ServiceFigures) {
        flows = flows.saturatingAdd(other.flows)
        handshakes = handshakes.saturatingAdd(other.handshakes)
        packetsC2S = packetsC2S.saturatingAdd(other.packetsC2S)
        bytesC2S = bytesC2S.saturatingAdd(other.bytesC2S)
        packetsS2C = packetsS2C.saturatingAdd(other.packetsS2C)
        bytesS2C = bytesS2C.saturatingAdd(other.bytesS2C)
        first = min(first, other.first)
        last = max(last, other.last)
    }
}

extension Int64 {
    /// `self + other`, held at the bounds instead of overflowing.
    func saturatingAdd(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
