import PortScopeIngest
import PortScopeSQLite
import PortScopeStore
import Testing

/// Packets out of time order are counted, a flow never absorbs a packet from further back than
/// its idle timeout, and a capture's and a flow's times are their earliest and latest packets.
struct TimeOrderTests {
    @Test func backwardJumpsSplitFlowsAndAreCounted() throws {
        var traffic = TrafficCapture()
        let start = traffic.micros + 1000
        traffic.udpExchange("10.0.0.1", 40000, "10.0.0.2", 53)
        traffic.session("10.0.0.1", 40001, "10.0.0.2", 443)
        // 2 ms back, well inside the idle timeout: the DNS flow takes the packet, and its first
        // packet time moves back.
        traffic.micros = start - 1000
        traffic.udp("10.0.0.2", 53, "10.0.0.1", 40000, data: AppBytes.response("udp", port: 53, size: 60))
        // The clock jumps back ten years: the same conversations again are other flows.
        traffic.micros -= 10 * 365 * 86_400 * 1_000_000
        let early = traffic.micros + 1000
        traffic.udpExchange("10.0.0.1", 40000, "10.0.0.2", 53)
        traffic.session("10.0.0.1", 40001, "10.0.0.2", 443)
        let directory = TemporaryDirectory()
        try traffic.write(to: directory.file("t.pcap"))
        let result = try analyze(directory.file("t.pcap"), in: directory)
        #expect(result.summary.firstTime == early * 1000 && result.summary.lastTime == (start + 9000) * 1000)
        #expect(result.summary.anomalies.first { $0.reason == "file.out_of_order" }?.packets == 2)
        let store = try CaptureStore(readingFrom: directory.file("test.db"))
        let flows = try store.rows("SELECT server_port, packets_c2s + packets_s2c, first_ns FROM flows ORDER BY first_ns, server_port")
        #expect(flows == [
            [.int(53), .int(2), .int(early * 1000)], [.int(443), .int(8), .int((early + 2000) * 1000)],
            [.int(53), .int(3), .int(start * 1000)], [.int(443), .int(8), .int((start + 2000) * 1000)],
        ])
    }
}
