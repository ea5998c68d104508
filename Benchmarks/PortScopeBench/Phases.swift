import PortScopeCapture
import PortScopeDecode
import PortScopeFlows

/// The stages of `analyze` before the store, each run alone and including those before it:
/// what reading costs, then decoding on top, then flows (table and service side) on top.
enum Phase: String, CaseIterable {
    case read, decode, flows

    /// Runs the stages up to this one over the capture at `path`; returns what it counted
    /// (printed, so the work cannot be optimized away).
    func run(path: String) throws(CaptureError) -> (packets: Int, flows: Int, checksum: UInt64) {
        var file = try CaptureFile(path: path)
        var tracker = FlowTracker(expectedFlows: 1 << 16)
        var packets = 0
        var checksum: UInt64 = 0
        while let record = try file.next() {
            packets += 1
            switch self {
            case .read:
                checksum &+= UInt64(record.bytes.count)
            case .decode:
                let packet = PacketDecoder.decode(record.bytes, linkType: record.linkType)
                checksum &+= UInt64(packet.sourcePort) &+ UInt64(packet.destination.low)
            case .flows:
                let packet = PacketDecoder.decode(record.bytes, linkType: record.linkType)
                tracker.add(packet, bytes: record.bytes, wireLength: record.originalLength, time: record.timestamp)
            }
        }
        _ = try file.finish()
        if self == .flows {
            checksum = tracker.table.withFlows { flows in
                let inference = ServiceSideInference(flows: flows, registry: .iana)
                return flows.reduce(0) { $0 &+ (inference.decide($1).server == .a ? 1 : 2) }
            }
        }
        return (packets, tracker.table.count, checksum)
    }
}
