// Counts heap allocations on the per-packet path: every record of a capture file decoded and
// added to the flow table. The file is read twice: once to warm up (the Swift runtime builds
// type metadata on first use, a one-time allocation), then again, counting only around the
// loop, with a fresh table sized beforehand. Prints `allocations A packets P flows F`; the
// test fails on A > 0. Usage: portscope-allocation-check FILE [EXPECTED_FLOWS]
import AllocationCounter
import PortScopeCapture
import PortScopeDecode
import PortScopeFlows
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: portscope-allocation-check FILE [EXPECTED_FLOWS]")
    exit(2)
}
let expectedFlows = arguments.count > 2 ? Int(arguments[2]) ?? 4096 : 4096

/// Decodes and tracks every packet of the file; the allocations made meanwhile when `counting`.
func run(counting: Bool) throws -> (allocations: Int, packets: Int, flows: Int) {
    var file = try CaptureFile(path: arguments[1])
    var tracker = FlowTracker(expectedFlows: expectedFlows)
    var packets = 0
    if counting { allocation_counter_start() }
    while let record = try file.next() {
        let packet = PacketDecoder.decode(record.bytes, linkType: record.linkType)
        tracker.add(packet, bytes: record.bytes, wireLength: record.originalLength, time: record.timestamp)
        packets += 1
    }
    let allocations = counting ? allocation_counter_stop() : 0
    return (allocations, packets, tracker.table.count)
}

_ = try run(counting: false)
let counted = try run(counting: true)
print("allocations \(counted.allocations) packets \(counted.packets) flows \(counted.flows)")
