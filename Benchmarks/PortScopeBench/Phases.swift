import PortScopeCapture
import PortScopeDecode
import PortScopeFlows
import PortScopeIngest

/// The stages of `analyze` before the store, each run alone and including those before it:
/// what reading costs, then decoding on top, then the whole per-packet pipeline (`analyze`'s own
/// loop: totals, decoding, flow table, payload detection) and the service side on top.
enum Phase: String, CaseIterable {
    case read, decode, flows

    /// Runs the stages up to this one over the capture at `path`; returns what it counted
    /// (printed, so the work cannot be optimized away).
    func run(path: String) throws(CaptureError) -> (packets: Int, flows: Int, checksum: UInt64) {
        var file = try CaptureFile(path: path)
        var packets = 0
        var checksum: UInt64 = 0
        if self == .flows {
            var options = PipelineOptions()
            options.expectedFlows = 1 << 16
            var pipeline = PacketPipeline(filter: nil, options: options)
            packets = Int(try pipeline.read(&file))
            _ = try file.finish()
            let plan = pipeline.plan(.all)
            return (packets, pipeline.tracker.table.count, plan.flows.reduce(0) { $0 &+ ($1.side.server == .a ? 1 : 2) })
        }
        // The partial stages: reading alone, then decoding, each without the rest of the pipeline.
        while let record = try file.next() {
            packets += 1
            if self == .read {
                checksum &+= UInt64(record.bytes.count)
            } else {
                let packet = PacketDecoder.decode(record.bytes, linkType: record.linkType)
                checksum &+= UInt64(packet.sourcePort) &+ UInt64(packet.destination.low)
            }
        }
        _ = try file.finish()
        return (packets, 0, checksum)
    }
}
