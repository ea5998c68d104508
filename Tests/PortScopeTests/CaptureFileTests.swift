import Foundation
import PortScopeCapture
import PortScopeDecode
import TestCaptures
import Testing

/// Test capture files on disk.
enum CaptureBytes {
    static func write(_ bytes: [UInt8], in dir: TemporaryDirectory, _ name: String = "c.pcap") -> String {
        let path = dir.file(name)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
}

/// Reads every packet of `path`: (time, captured, original, link type).
func readAll(_ path: String) throws -> (packets: [(Int64, Int, UInt32, LinkType)], stats: CaptureFileStatistics) {
    var file = try CaptureFile(path: path)
    var packets: [(Int64, Int, UInt32, LinkType)] = []
    while let r = try file.next() { packets.append((r.timestamp, r.bytes.count, r.originalLength, r.linkType)) }
    return (packets, file.statistics)
}

struct CaptureFileTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func pcapByteOrdersAndResolutions(bigEndian: Bool, nanoseconds: Bool) throws {
        let dir = TemporaryDirectory()
        let bytes = CaptureFileWriter.capture(bigEndian: bigEndian, nanoseconds: nanoseconds,
                                      records: [(1_700_000_000, 123_456, tcpSYN, 60), (1_700_000_001, 7, [], nil)])
        let (packets, stats) = try readAll(CaptureBytes.write(bytes, in: dir))
        #expect(packets.count == 2 && stats.records == 2 && stats.zeroLength == 1)
        #expect(packets[0].0 == 1_700_000_000_000_000_000 + (nanoseconds ? 123_456 : 123_456_000))
        #expect(packets[0].1 == 54 && packets[0].2 == 60 && packets[0].3 == .ethernet)
        #expect(stats.damage == nil && stats.tornTrailingBytes == 0)
    }

    @Test func tornLastRecordAndOversizedCaptures() throws {
        let dir = TemporaryDirectory()
        var bytes = CaptureFileWriter.capture(snaplen: 40, records: [(1, 0, tcpSYN, nil), (2, 0, tcpSYN, nil)])
        bytes.removeLast(10)  // the second record loses its last 10 bytes
        let (packets, stats) = try readAll(CaptureBytes.write(bytes, in: dir))
        #expect(packets.count == 1)
        #expect(stats.capturedOverSnaplen == 1, "54 captured bytes against a snaplen of 40")
        #expect(stats.tornTrailingBytes == UInt64(16 + tcpSYN.count - 10))
    }

    @Test func implausibleCapturedLengthStopsTheReading() throws {
        let dir = TemporaryDirectory()
        var bytes = CaptureFileWriter.capture(records: [(1, 0, tcpSYN, nil)])
        bytes += [1, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0]  // captured length 2 GiB
        let (packets, stats) = try readAll(CaptureBytes.write(bytes, in: dir))
        #expect(packets.count == 1 && stats.damage?.contains("not plausible") == true)
    }

    @Test func pcapngInterfacesWithOwnLinkTypesAndResolutions() throws {
        let dir = TemporaryDirectory()
        let (packets, stats) = try readAll(sample("two-interfaces.pcapng"))
        #expect(packets.count == 10 && stats.format == "pcapng")
        #expect(stats.linkTypes == [.ethernet, .raw])
        #expect(packets[0].0 == 1_700_000_000_000_000_000, "Ethernet interface, microseconds")
        #expect(packets[9].0 == 1_700_000_000_009_000_000, "raw IP interface, nanoseconds")
        #expect(packets[9].3 == .raw)
        _ = dir
    }

    /// The test writer's pcapng (section, interface, enhanced packets, padding) reads back as the
    /// same packets as its pcap, in either resolution: both forms of every test capture agree.
    @Test(arguments: [false, true])
    func writerPcapngMatchesPcap(nanoseconds: Bool) throws {
        let dir = TemporaryDirectory()
        let records: [CaptureFileWriter.Record] = [(1_700_000_000, 5, tcpSYN, nil), (1_700_000_001, 7, Array(tcpSYN.prefix(41)), 60)]
        let pcap = try readAll(CaptureBytes.write(CaptureFileWriter.capture(.pcap, nanoseconds: nanoseconds, records: records), in: dir, "a"))
        let pcapng = try readAll(CaptureBytes.write(CaptureFileWriter.capture(.pcapng, nanoseconds: nanoseconds, records: records), in: dir, "b"))
        #expect(pcapng.stats.format == "pcapng" && pcapng.stats.damage == nil)
        #expect(pcapng.packets.map { "\($0)" } == pcap.packets.map { "\($0)" } && pcap.packets.count == 2)
        #expect(pcap.packets[1].0 == 1_700_000_001_000_000_000 + (nanoseconds ? 7 : 7_000))
    }

    @Test func notACaptureAndUnreadableHeaders() throws {
        let dir = TemporaryDirectory()
        #expect(throws: CaptureError.notACapture(path: CaptureBytes.write(Array("GET / HTTP/1.1\r\n".utf8), in: dir, "a"))) {
            _ = try CaptureFile(path: dir.file("a"))
        }
        var version1 = CaptureFileWriter.capture(records: [])
        version1[4] = 1
        let path = CaptureBytes.write(version1, in: dir, "b")
        #expect(throws: CaptureError.unreadableHeader(path: path, reason: "pcap version 1.4")) { _ = try CaptureFile(path: path) }
        let empty = CaptureBytes.write([], in: dir, "c")
        #expect(throws: CaptureError.unreadableHeader(path: empty, reason: "empty file")) { _ = try CaptureFile(path: empty) }
    }

    @Test func filterCompilesPerLinkTypeAndRejectsBadSyntax() throws {
        var filter = try PacketFilter("tcp dst port 80")
        let matches = try tcpSYN.withUnsafeBytes { bytes in
            try filter.matches(PacketRecord(bytes: bytes, originalLength: 54, timestamp: 0, linkType: .ethernet, interface: 0))
        }
        #expect(matches)
        let raw = Array(tcpSYN[14...])
        let rawMatches = try raw.withUnsafeBytes { bytes in
            try filter.matches(PacketRecord(bytes: bytes, originalLength: 40, timestamp: 0, linkType: .raw, interface: 0))
        }
        #expect(rawMatches, "the same expression compiled for raw IP")
        #expect(throws: CaptureError.self) { _ = try PacketFilter("tcp port eighty") }
    }
}
