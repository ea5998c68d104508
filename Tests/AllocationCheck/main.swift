// Counts heap allocations on the per-packet path: the production pipeline (`PacketPipeline.read`:
// totals, decoding, the flow table, payload detection) over every record of a capture file. The
// file is read twice: once to warm up (the Swift runtime builds type metadata on first use, a
// one-time allocation), then again, counting only around the loop, with a fresh pipeline whose
// table is sized beforehand. Prints `allocations A packets P flows F`; the test fails on A > 0.
// Usage: portscope-allocation-check FILE [EXPECTED_FLOWS]
import AllocationCounter
import PortScopeCapture
import PortScopeIngest
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: portscope-allocation-check FILE [EXPECTED_FLOWS]")
    exit(2)
}
let expectedFlows = arguments.count > 2 ? Int(arguments[2]) ?? 4096 : 4096

/// Reads every packet of the file through the pipeline; the allocations made meanwhile when `counting`.
func run(_ path: String, expectedFlows: Int, counting: Bool) throws -> (allocations: Int, packets: UInt64, flows: Int) {
    var options = PipelineOptions()
    options.expectedFlows = expectedFlows
    var file = try CaptureFile(path: path)
    var pipeline = PacketPipeline(filter: nil, options: options)
    if counting { allocation_counter_start() }
    let packets = try pipeline.read(&file)
    let allocations = counting ? allocation_counter_stop() : 0
    return (allocations, packets, pipeline.tracker.table.count)
}

_ = try run(arguments[1], expectedFlows: expectedFlows, counting: false)
let counted = try run(arguments[1], expectedFlows: expectedFlows, counting: true)
print("allocations \(counted.allocations) packets \(counted.packets) flows \(counted.flows)")
