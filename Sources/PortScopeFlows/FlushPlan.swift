/// Which flows a flush writes.
public enum FlushScope: Sendable {
    /// Every flow that is new or changed.
    case all
    /// Only the flows that ended (evictions during `analyze`: the open ones wait for the last flush).
    case ended
}

/// A flow to store, with the service side decided for it.
public struct DecidedFlow: Sendable {
    /// Where the flow lies in the buffer the plan was made from.
    public var index: Int
    public var side: ServiceSide
    /// Whether its row is written: it has none, or it changed since (its figures, its end or its
    /// side). A flow written early (`SettledFlows`) and unchanged is only summed.
    public var writesRow: Bool
    /// Whether its time buckets are written now: once its side can no longer change (decided by
    /// its handshake, the flow ended, or the capture's last flush). Until then they wait in
    /// memory, so a flow decided again never leaves traffic under the service it was first given.
    public var writesBuckets: Bool
}

/// The flows one flush writes, each with its service side decided: the flows module decides,
/// the store only writes what it is given.
public struct FlushPlan: Sendable {
    public private(set) var flows: [DecidedFlow] = []

    /// Decides the flows of `buffer` that `scope` covers and keeps those to write: new ones,
    /// changed ones, and ones whose side changed. First `inference` learns the fan-in of the flows
    /// it has not seen (once each: evictions flush many times while the open flows wait). Flows
    /// still in memory are decided again at every flush, since fan-in learned later may outweigh
    /// the weaker evidence a flow was first written with; a flow's side is final once it has
    /// ended and been stored. Flows written early without their aggregates (`SettledFlows`) are
    /// kept too, for the sums.
    /// `final`: the capture's last flush, after which no flow is decided again.
    public init(_ buffer: UnsafeMutableBufferPointer<FlowRecord>, scope: FlushScope, final: Bool,
                inference: inout ServiceSideInference) {
        for index in buffer.indices where !buffer[index].fanInLearned {
            inference.learn(buffer[index])
            buffer[index].fanInLearned = true
        }
        for index in buffer.indices where scope == .all || buffer[index].end != .open {
            let side = inference.decide(buffer[index])
            let settled = final || buffer[index].end != .open || side.decidedBy.isFinal
            let writesRow = buffer[index].needsWrite || side != buffer[index].row?.side
            guard writesRow || buffer[index].needsAggregates || (settled && buffer[index].buckets.isPending) else { continue }
            flows.append(DecidedFlow(index: index, side: side, writesRow: writesRow, writesBuckets: settled))
        }
    }

    /// How many of the flows are new to the capture's aggregates (counted in its flows now).
    public func newFlows(in buffer: UnsafeBufferPointer<FlowRecord>) -> Int {
        flows.count { buffer[$0.index].needsAggregates }
    }

    /// After the flush committed: each flow remembers its row (`rowIDs[i]` for a new row of
    /// `flows[i]`, nil for a row updated in place), its packets, end and side, with its figures in
    /// the aggregates, so the next flush updates that row only if something changed; its time
    /// buckets count afresh. If the flush failed this is not called, and the next flush writes
    /// the same flows again.
    func recordWritten(rowIDs: [Int64?], in buffer: UnsafeMutableBufferPointer<FlowRecord>) {
        for (write, newID) in zip(flows, rowIDs) {
            if write.writesBuckets { TimeBuckets.stored(&buffer[write.index].buckets) }
            let flow = buffer[write.index]
            guard let id = newID ?? flow.row?.id else { continue }
            buffer[write.index].row = FlowRow(id: id, packets: flow.packets, side: write.side, end: flow.end, aggregated: true)
        }
    }
}
