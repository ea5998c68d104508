/// Flows whose rows are written while the capture is still read (on the store's own thread),
/// copied out of the flow table with the names they refer to, so reading can go on changing the
/// table meanwhile. A flow settles once nothing expected can change it: its side rests on its own
/// packets (`ServiceDecision.restsOnFlowAlone`) and it went quiet (ended, or silent for
/// `quiet`). Should a later packet change it after all, the capture's last flush writes its row
/// again whole: waiting only spares that second write. Its aggregates and time buckets wait for
/// that flush, which sums every flow of the capture at once.
public struct SettledFlows: ~Copyable {
    /// The flows as they were when copied; their names lie in `names`.
    public let records: [FlowRecord]
    public let sides: [ServiceSide]
    /// The row id of `records[0]`; the others follow in order.
    public let firstRowID: Int64
    public let names: FlowNames

    /// Capture time (ns) a flow stays silent before it settles. Most flows are short: what is
    /// still to come of one (the last ACK, a retransmitted FIN, a DNS retry) has come by then
    /// (Zeek waits 5 s too before it forgets a closed connection). Waiting for the idle timeout
    /// instead (minutes) left a third of a capture's rows to its end.
    public static let quiet: Int64 = 5_000_000_000
}

extension FlowTracker {
    /// Marks the flows without a row that settled by `now` (the latest packet time, ns) and
    /// returns them, oldest first, with their sides. Their indices hold until `removeEnded()`.
    public mutating func settle(now: Int64, inference: borrowing ServiceSideInference) -> [DecidedFlow] {
        var settled: [DecidedFlow] = []
        withMutableFlows { flows, _ in
            for index in flows.indices where flows[index].row == nil && !flows[index].settled {
                let flow = flows[index]
                guard flow.end != .open || nanosecondsBetween(flow.lastTime, now) >= SettledFlows.quiet else { continue }
                let side = inference.decide(flow)
                guard side.decidedBy.restsOnFlowAlone else { continue }
                flows[index].settled = true
                settled.append(DecidedFlow(index: index, side: side, writesRow: true, writesBuckets: false))
            }
        }
        return settled
    }

    /// Copies `flows` (from `settle`) out of the table as rows `firstRowID`… and notes each
    /// flow's row, without its aggregates: the capture's last flush sums it, and writes it again
    /// if it changed.
    public mutating func rows(of flows: [DecidedFlow], firstRowID: Int64) -> SettledFlows {
        var records: [FlowRecord] = []
        records.reserveCapacity(flows.count)
        var id = firstRowID
        withMutableFlows { table, _ in
            for write in flows {
                let flow = table[write.index]
                table[write.index].row = FlowRow(id: id, packets: flow.packets, side: write.side, end: flow.end, aggregated: false)
                records.append(flow)
                id += 1
            }
        }
        var copied = FlowNames(capacity: 0)
        records.withUnsafeMutableBufferPointer { copied = FlowNames(namesOf: $0, in: names, capacity: 1024) }
        return SettledFlows(records: records, sides: flows.map(\.side), firstRowID: firstRowID, names: copied)
    }
}
