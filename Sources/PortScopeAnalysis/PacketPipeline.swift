import PortScopeCapture
import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// The one path every packet takes, from a file or an interface: filter, totals, decode,
/// flows; and the flush that stores what changed. `analyze` and `live` differ only in where
/// records come from and when they flush.
struct PacketPipeline: ~Copyable {
    private var filter: PacketFilter?
    private(set) var tracker: FlowTracker
    private var issues = DecodeIssueCounts()
    private(set) var totals = Totals()
    private var filteredOut: UInt64 = 0
    private var inference: ServiceSideInference
    /// Flow rows written so far.
    private(set) var storedFlows = 0
    /// Flows held in memory at most (`--max-flows`): reaching it, the longest silent are evicted.
    let maxFlows: Int
    /// Flows evicted so far, and the most flows held when one was.
    private(set) var evictedFlows: UInt64 = 0
    private var peakFlows = 0

    init(filter: consuming PacketFilter?, timeouts: FlowTimeouts, registry: ServiceRegistry, detectProtocols: Bool = true,
         maxFlows: Int = AnalysisOptions.defaultMaxFlows) {
        self.filter = filter
        self.maxFlows = maxFlows
        tracker = FlowTracker(timeouts: timeouts, detectsProtocols: detectProtocols)
        inference = ServiceSideInference(registry: registry)
    }

    /// Counts, decodes and tracks one packet (unless the filter excludes it).
    @inline(__always)
    mutating func consume(_ record: PacketRecord) throws(CaptureError) {
        if filter != nil, try !filter!.matches(record) {
            filteredOut += 1
            return
        }
        totals.add(record)
        let packet = PacketDecoder.decode(record.bytes, linkType: record.linkType)
        if let issue = packet.issue { issues.add(issue) }
        tracker.add(packet, bytes: record.bytes, wireLength: record.originalLength, time: record.timestamp)
    }

    /// Sets the packet figures of `summary`: totals, times, and the packets not fully decoded
    /// or noted, by reason (after any the source added itself).
    func fill(_ summary: inout CaptureSummary, sourceAnomalies: [(reason: String, packets: UInt64)]) {
        summary.packets = totals.packets
        summary.bytes = totals.bytes
        summary.capturedBytes = totals.capturedBytes
        summary.firstTime = totals.packets > 0 ? totals.first : nil
        summary.lastTime = totals.packets > 0 ? totals.last : nil
        summary.anomalies = issues.byReason + sourceAnomalies + [
            ("flow.fragments_joined", tracker.statistics.fragmentsJoined),
            ("flow.fragments_unjoined", tracker.statistics.fragmentsUnjoined),
            ("flow.evicted", evictedFlows),
            ("filter.excluded", filteredOut),
        ]
    }

    /// Whether the flows in memory reached `maxFlows`: `evict()`, then flush.
    var isFull: Bool { tracker.table.count >= maxFlows }

    /// Ends the quarter of the flows in memory silent the longest (counted as evicted), so the
    /// flush that must follow stores them for good and frees them.
    mutating func evict() {
        peakFlows = max(peakFlows, tracker.table.count)
        evictedFlows += UInt64(tracker.evictOldest())
    }

    /// The most flows held in memory at once (as far as evictions saw; at least the flows held now).
    var flowsHeldAtMost: Int { max(peakFlows, tracker.table.count) }

    /// Ends the flows idle at `now` (ns), so the next flush stores them for good and frees them.
    mutating func expireIdle(now: Int64) {
        tracker.expireIdle(now: now)
    }

    /// Writes `summary` and the flows that changed into `store` in one transaction, then frees
    /// the flows that ended. Returns the capture's id (a new row when `capture` is nil).
    mutating func flush(_ summary: CaptureSummary, into store: borrowing CaptureStore, capture: Int64?,
                        replacing: Int64? = nil, scope: CaptureStore.FlushScope = .all) throws(StoreError) -> Int64 {
        let result = try tracker.withMutableFlows { flows, names throws(StoreError) in
            try store.flush(summary, capture: capture, replacing: replacing, flows: flows, names: names, scope: scope,
                            inference: &inference)
        }
        storedFlows += result.newFlows
        tracker.removeEnded()
        if inference.forgetSinglePeers(above: 2 * maxFlows) {
            tracker.withMutableFlows { flows, _ in for i in flows.indices { flows[i].fanInLearned = false } }
        }
        return result.captureID
    }
}

/// Running totals over the packets analyzed.
struct Totals {
    var packets: UInt64 = 0
    var bytes: UInt64 = 0
    var capturedBytes: UInt64 = 0
    var first: Int64 = 0
    var last: Int64 = 0

    @inline(__always)
    mutating func add(_ record: PacketRecord) {
        if packets == 0 { first = record.timestamp }
        packets += 1
        bytes += UInt64(record.originalLength)
        capturedBytes += UInt64(record.bytes.count)
        last = record.timestamp
    }
}
