import Foundation
import PortScopeDecode
import TestCaptures

/// Seeds of every target written by `TestCaptures`, the writer the tests and the benchmark use:
/// a little of each kind of traffic PortScope tracks (a TCP session with payload, a refused
/// connection, UDP request and answer, a ping, IPv6, a VLAN tag), as pcap (both byte orders and
/// resolutions), as pcapng, and one packet at a time for `decode`. They seed the fuzzer even where
/// the shared corpus is not beside the repository.
enum FuzzSeeds {
    static func frames() -> [[UInt8]] {
        let client = IPAddress("192.168.1.10")!, server = IPAddress("192.168.1.80")!
        let client6 = IPAddress("fd00::10")!, server6 = IPAddress("fd00::80")!
        func tcp(_ from: IPAddress, _ to: IPAddress, _ sport: UInt16, _ dport: UInt16, _ flags: TCPFlags, _ payload: [UInt8] = [],
                 vlan: Bool = false) -> [UInt8] {
            EthernetFrame.make(from: from, to: to, vlan: vlan,
                               .tcp(sourcePort: sport, destinationPort: dport, sequence: 1000, acknowledgment: 5000, flags: flags),
                               payload: .bytes(payload))
        }
        let request = Array("GET / HTTP/1.1\r\nHost: example.test\r\n\r\n".utf8)
        let query: [UInt8] = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7] + Array("example".utf8) + [4] + Array("test".utf8) + [0, 0, 1, 0, 1]
        return [
            tcp(client, server, 40000, 80, .syn), tcp(server, client, 80, 40000, [.syn, .ack]), tcp(client, server, 40000, 80, .ack),
            tcp(client, server, 40000, 80, [.psh, .ack], request), tcp(server, client, 80, 40000, [.psh, .ack], Array("HTTP/1.1 200 OK\r\n\r\n".utf8)),
            tcp(client, server, 40000, 80, [.fin, .ack]), tcp(client, server, 40001, 23, .syn), tcp(server, client, 23, 40001, [.rst, .ack]),
            EthernetFrame.make(from: client, to: server, .udp(sourcePort: 50000, destinationPort: 53), payload: .bytes(query)),
            EthernetFrame.make(from: client, to: server, .echo(reply: false), payload: .zeros(32)),
            tcp(client6, server6, 40002, 22, .syn, vlan: true),
            EthernetFrame.make(from: client6, to: server6, .udp(sourcePort: 50001, destinationPort: 123), payload: .zeros(48)),
        ]
    }

    /// Writes the seeds into `directory`/pcap, /pcapng and /decode.
    static func write(to directory: String) throws {
        let frames = frames()
        func records() -> [CaptureFileWriter.Record] {
            frames.enumerated().map { (1_700_000_000, UInt32($0.offset * 1000), $0.element, nil) }
        }
        func save(_ bytes: [UInt8], _ path: String) throws {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        for (bigEndian, nanoseconds) in [(false, false), (true, false), (false, true), (true, true)] {
            try save(CaptureFileWriter.capture(.pcap, bigEndian: bigEndian, nanoseconds: nanoseconds, records: records()),
                     "\(directory)/pcap/generated-\(bigEndian ? "be" : "le")-\(nanoseconds ? "ns" : "us").pcap")
        }
        try save(CaptureFileWriter.capture(.pcapng, records: records()), "\(directory)/pcapng/generated.pcapng")
        try save(CaptureFileWriter.capture(.pcapng, nanoseconds: true, records: records()), "\(directory)/pcapng/generated-ns.pcapng")
        // decode: the link type's index in FuzzTarget.linkTypes (Ethernet), then the packet.
        let ethernet = UInt8(FuzzTarget.linkTypes.firstIndex(of: .ethernet)!)
        for (i, frame) in frames.enumerated() { try save([ethernet] + frame, "\(directory)/decode/generated-\(i)") }
    }
}
