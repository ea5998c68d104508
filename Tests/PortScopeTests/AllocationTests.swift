import Foundation
import Testing

/// No heap allocation on the per-packet path. `portscope-allocation-check` (its own executable,
/// since it interposes malloc) reads a capture twice, the second time counting every allocation
/// its thread makes while records are read, decoded and added to the flow table.
@Suite struct AllocationTests {
    static let checker = portscopeBinary.deletingLastPathComponent().appendingPathComponent("portscope-allocation-check").path

    func allocations(_ path: String, expectedFlows: Int = 4096) throws -> (allocations: Int, packets: Int, flows: Int) {
        let run = try runProgram(Self.checker, [path, String(expectedFlows)])
        #expect(run.status == 0, "\(run.err)")
        let fields = run.out.split(whereSeparator: \.isWhitespace)
        guard fields.count == 6, let a = Int(fields[1]), let p = Int(fields[3]), let f = Int(fields[5]) else {
            Issue.record("unexpected output: \(run.out)")
            return (-1, 0, 0)
        }
        return (a, p, f)
    }

    /// Many packets of every kind the generator makes: TCP sessions over IPv4 and IPv6, refused
    /// and half-open probes, UDP exchanges, pings; thousands of flows.
    @Test func generatedWorkload() throws {
        var t = TrafficCapture()
        for i in 0..<1500 {
            t.session("10.0.\(i / 250).\(i % 250 + 1)", 40000 + i, "192.168.1.80", [80, 443, 22][i % 3], exchanges: 2)
            t.session("fd00::\(String(i, radix: 16))", 40000 + i, "fd00::80", 443)
            t.synProbe("203.0.113.66", 61000, "192.168.1.80", 1000 + i, answer: i % 2 == 0 ? .reset : .synAck)
            t.udpExchange("10.1.\(i / 250).\(i % 250 + 1)", 50000 + i, "192.168.1.53", 53, answered: i % 5 != 0)
            t.ping("10.2.0.1", "10.3.\(i / 250).\(i % 250 + 1)", reply: i % 2 == 0)
        }
        let dir = TemporaryDirectory(), path = dir.file("many.pcap")
        try t.write(to: path)
        let counted = try allocations(path, expectedFlows: 8192)
        // Per round: sessions of 10 and 8 packets, a probe of 2 (3 when answered), a request (and
        // its reply four times in five), a ping.
        #expect(counted.packets == 1500 * (10 + 8 + 2 + 2 + 1) + 750 - 300)
        #expect(counted.flows == 7500)
        #expect(counted.allocations == 0)
    }

    /// Every sample: link layers (VLAN, QinQ, raw IP), pcapng with two interfaces, IPv6.
    @Test(arguments: ["http.pcap", "dns.pcap", "tls.pcap", "udp.pcap", "vlan.pcap", "two-interfaces.pcapng",
                      "office-monday.pcap", "office-tuesday.pcap"])
    func samples(_ name: String) throws {
        let counted = try allocations(sample(name))
        #expect(counted.packets > 0 && counted.allocations == 0)
    }
}
