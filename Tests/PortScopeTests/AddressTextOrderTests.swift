import PortScopeDecode
@testable import PortScopeStore
import Testing

/// Rows go into text-keyed b-trees in the order SQLite keeps them: IPv4 addresses ordered by
/// `textOrdered` are in the byte order of their text, and the mapping is undone exactly.
struct AddressTextOrderTests {
    @Test func ipv4KeysSortAsTheirText() {
        // Every byte value in each position, against neighbours of other text lengths.
        var addresses: [IPAddress] = []
        for byte in 0...255 {
            let b = UInt32(byte)
            addresses += [b << 24 | 0x0A0A0A, 0x0A00_0000 | b << 16 | 0x0909, 0x0A0A_0000 | b << 8 | 0x64, 0x0A0A_0A00 | b]
                .map { IPAddress(ipv4: $0) }
        }
        let byKey = addresses.sorted { $0.textOrdered < $1.textOrdered }.map(\.description)
        let byText = addresses.map(\.description).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        #expect(byKey == byText)
        #expect(addresses.allSatisfy { IPAddress(textOrdered: $0.textOrdered) == $0 })
    }

    @Test func ipv6IsLeftAsItIs() {
        let address = IPAddress(high: 0x2001_0db8_0000_0000, low: 0x10)
        #expect(address.textOrdered == address)
        #expect(IPAddress(textOrdered: address) == address)
    }
}
