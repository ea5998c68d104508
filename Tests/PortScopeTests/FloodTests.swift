import Foundation
import PortScopeDecode
import PortScopeIngest
import PortScopeStore
import TestCaptures
import Testing

/// A SYN scan from random sources and ports toward one host: every packet a new flow.
/// Ethernet + IPv4 + TCP SYN (`EthernetFrame`), 54 bytes each, one microsecond apart; deterministic.
func synFlood(_ packets: Int, to path: String) throws {
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 {  // splitmix64, so the capture is the same every time
        seed &+= 0x9E37_79B9_7F4A_7C15
        var z = seed
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    let records = (0..<packets).map { i in
        let r = next(), source = UInt32(truncatingIfNeeded: r) | 0x0100_0000, port = Int(UInt16(truncatingIfNeeded: r >> 32) | 1024)
        let frame = EthernetFrame.make(from: IPAddress(ipv4: source), to: IPAddress("192.168.1.80")!,
                                       .tcp(sourcePort: UInt16(port), destinationPort: 80, sequence: 1, acknowledgment: 0, flags: .syn))
        return (seconds: UInt32(1_700_000_000 + i / 1_000_000), fraction: UInt32(i % 1_000_000), data: frame, original: UInt32?.none)
    }
    try Data(CaptureFileWriter.capture(records: records)).write(to: URL(fileURLWithPath: path))
}

/// `--max-flows`: a flood of distinct flows is held under the bound, every flow still stored.
@Suite(.serialized)
struct FloodTests {
    static let packets = 60_000

    @Test func aFloodStaysUnderMaxFlowsAndLosesNothing() throws {
        let dir = TemporaryDirectory(), flood = dir.file("flood.pcap")
        try synFlood(Self.packets, to: flood)
        var options = AnalysisOptions()
        options.pipeline.maxFlows = 2000
        let result = try analyze(flood, in: dir, options: options)
        #expect(result.flowsHeldAtMost <= 2000 && result.flowsHeldAtMost >= 1500)
        let store = try CaptureStore(readingFrom: dir.file("test.db"))
        let evicted = try store.rows("SELECT packets FROM capture_anomalies WHERE reason = 'flow.evicted'")
        let evictedRows = try store.rows("SELECT COUNT(*) FROM flows WHERE end_reason = 'evicted'")
        #expect(evicted == evictedRows && evicted != [[.int(0)]] && !evicted.isEmpty)
        // Every packet is in a flow row, every flow in the capture's count, the aggregates agree.
        #expect(try store.rows("SELECT COUNT(*), SUM(packets_c2s + packets_s2c) FROM flows")
                == [[.int(Int64(Self.packets)), .int(Int64(Self.packets))]])
        #expect(try store.rows("SELECT flows, packets, status FROM captures")
                == [[.int(Int64(Self.packets)), .int(Int64(Self.packets)), .text("complete")]])
        #expect(try store.rows("SELECT SUM(flows), SUM(packets_c2s) FROM host_services")
                == [[.int(Int64(Self.packets)), .int(Int64(Self.packets))]])
        // One probe per source is no scan (a scan is one source probing many targets), and no
        // service: the findings read the 60,000 flows and report nothing.
        #expect(try portscope(["unexpected", "--db", dir.file("test.db"), "--format", "csv"]).out.split(separator: "\n").count == 1)
    }

    @Test func evictionsThroughTheCommandLine() throws {
        let dir = TemporaryDirectory(), flood = dir.file("flood.pcap"), db = dir.file("f.db"), lean = dir.file("lean.db")
        try synFlood(Self.packets, to: flood)
        let run = try portscope(["analyze", flood, "--db", db, "--max-flows", "5000"])
        #expect(run.status == 0 && run.out.contains("flows stored early to stay under --max-flows: ")
                && run.out.contains("packets \(Self.packets), bytes \(Self.packets * 54), flows \(Self.packets)"), "\(run.out)\(run.err)")
        // The same file again is skipped, and what its evictions wrote is rolled back.
        let again = try portscope(["analyze", flood, "--db", db, "--max-flows", "5000"])
        #expect(again.status == 0 && again.out.contains("already in the database"))
        #expect(try checkSurvived(db, kept: [1: Int64(Self.packets)]).isEmpty)
        // Without flow rows, the aggregates are the same.
        #expect(try portscope(["analyze", flood, "--db", lean, "--max-flows", "5000", "--no-flows"]).status == 0)
        #expect(try portscope(["services", "--db", lean, "--format", "csv"]).out == portscope(["services", "--db", db, "--format", "csv"]).out)
        let bad = try portscope(["analyze", flood, "--db", db, "--max-flows", "10"])
        #expect(bad.status != 0 && bad.err.contains("--max-flows must be at least 1000"))
    }
}
