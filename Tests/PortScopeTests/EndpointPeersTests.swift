import PortScopeDecode
@testable import PortScopeFlows
import Testing

/// The fan-in table against a Dictionary doing the same by definition, through its growth and
/// its forgetting of single-peer endpoints.
struct EndpointPeersTests {
    @Test func agreesWithADictionaryThroughGrowthAndForgetting() {
        var table = EndpointPeers()
        var reference: [String: Set<UInt16>] = [:]
        func name(_ e: EndpointPeers.Endpoint) -> String { "\(e.proto.rawValue) \(e.address) \(e.port)" }
        // 5,000 endpoints (IPv4 and IPv6, two protocols, ports colliding across addresses), a third
        // of them seen with a second peer port, some with the same peer again.
        var endpoints: [EndpointPeers.Endpoint] = []
        for i in 0..<5_000 {
            let address = i % 3 == 0 ? IPAddress(high: 0x2001_0db8_0000_0000, low: UInt64(i)) : IPAddress(ipv4: 0x0A00_0000 | UInt32(i / 7))
            let endpoint = EndpointPeers.Endpoint(address: address, port: UInt16(i % 7 * 1000), proto: i % 2 == 0 ? .tcp : .udp)
            endpoints.append(endpoint)
            let peers: [UInt16] = i % 3 == 1 ? [40_000, 40_001] : i % 3 == 2 ? [50_000, 50_000] : [60_000]
            for peer in peers {
                table.note(endpoint, peer: peer)
                reference[name(endpoint), default: []].insert(peer)
            }
        }
        #expect(table.count == reference.count)
        for endpoint in endpoints { #expect(table.hasManyPeers(endpoint) == (reference[name(endpoint)]!.count > 1)) }
        let unseen = EndpointPeers.Endpoint(address: IPAddress(ipv4: 0xC000_0201), port: 80, proto: .tcp)
        #expect(!table.hasManyPeers(unseen))

        table.keepManyPeers()
        #expect(table.count == reference.values.count { $0.count > 1 })
        for endpoint in endpoints { #expect(table.hasManyPeers(endpoint) == (reference[name(endpoint)]!.count > 1)) }
        // A forgotten endpoint starts again from one peer.
        let single = endpoints[0]
        table.note(single, peer: 1)
        #expect(!table.hasManyPeers(single))
        table.note(single, peer: 2)
        #expect(table.hasManyPeers(single))
    }
}
