import PortScopeDecode

extension IPAddress {
    /// The address with each IPv4 byte replaced by the rank of its decimal text among those of
    /// 0…255, so that IPv4 keys compare as SQLite compares the addresses' text ("10.0.0.10" before
    /// "10.0.0.9"; a shorter byte's text is a prefix, and both "." and the end sort before any
    /// digit). IPv6 keeps its byte order, close to its text's. Rows sorted by it go into a
    /// text-keyed b-tree at its end, where SQLite inserts without searching; it is a bijection
    /// (`init(textOrdered:)` undoes it), so keys made of it stay distinct.
    var textOrdered: IPAddress { mapIPv4Bytes(Self.textRank) }

    /// The address whose `textOrdered` is `key`.
    init(textOrdered key: IPAddress) { self = key.mapIPv4Bytes(Self.byteOfRank) }

    private func mapIPv4Bytes(_ table: [UInt8]) -> IPAddress {
        guard isIPv4 else { return self }
        var value: UInt32 = 0
        for shift in stride(from: 24, through: 0, by: -8) {
            value = value << 8 | UInt32(table[Int(ipv4Value >> UInt32(shift) & 0xFF)])
        }
        return IPAddress(ipv4: value)
    }

    /// Each byte's rank among the decimal texts of 0…255 in byte order, and its inverse.
    private static let byteOfRank: [UInt8] = (0...255).map(UInt8.init).sorted { String($0) < String($1) }
    private static let textRank: [UInt8] = {
        var rank = [UInt8](repeating: 0, count: 256)
        for (position, byte) in byteOfRank.enumerated() { rank[Int(byte)] = UInt8(position) }
        return rank
    }()
}
