import PortScopeDecode

/// An IP network in CIDR notation (`10.0.0.0/8`, `fd00::/8`; a bare address is a network of one).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the network (host bits cleared).
    public let address: IPAddress
    /// The prefix length over the 128-bit form; an IPv4 /n is 96 + n (IPv4 is stored IPv4-mapped).
    public let bits: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let width = address.isIPv4 ? 32 : 128
        var length = width
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...width).contains(n), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            length = n
        }
        bits = length + 128 - width
        self.address = IPNetwork.masked(address, bits)
    }

    private static func masked(_ address: IPAddress, _ bits: Int) -> IPAddress {
        IPAddress(high: address.high & mask(bits), low: address.low & mask(bits - 64))
    }

    /// The top `bits` bits of a 64-bit word set (clamped to 0…64).
    private static func mask(_ bits: Int) -> UInt64 {
        bits <= 0 ? 0 : bits >= 64 ? ~0 : ~0 << UInt64(64 - bits)
    }

    /// Whether it is one address (a /32 or /128).
    public var isSingleAddress: Bool { bits == 128 }

    public func contains(_ candidate: IPAddress) -> Bool {
        IPNetwork.masked(candidate, bits) == address
    }

    public var description: String {
        let width = address.isIPv4 ? bits - 96 : bits
        return "\(address)/\(width)"
    }
}

/// The networks a user calls "ours": reports mark hosts in them local.
public struct LocalNetworks: Sendable, CustomStringConvertible {
    public var networks: [IPNetwork]
    public init(_ networks: [IPNetwork]) { self.networks = networks }

    /// IPv4 private (RFC 1918), link-local and loopback; IPv6 unique-local (RFC 4193), link-local
    /// and loopback. Carrier-grade NAT space (RFC 6598) is not "ours" unless the user says so.
    public static let privateRanges = LocalNetworks(
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8",
         "fc00::/7", "fe80::/10", "::1/128"].map { IPNetwork($0)! })

    public func contains(_ address: IPAddress) -> Bool { networks.contains { $0.contains(address) } }
    public var description: String { networks.map(\.description).joined(separator: " ") }
}
