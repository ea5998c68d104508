import PortScopeCapture
import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// How the pipeline treats packets.
public struct PipelineOptions: Sendable {
    public var registry = ServiceRegistry.iana
    public var timeouts = FlowTimeouts.standard
    /// Examine payloads for their application protocol.
    public var detectProtocols = true
    /// Flows held in memory at most (`--max-flows`): reaching it, the longest silent are evicted.
    public var maxFlows = PipelineOptions.defaultMaxFlows
    /// Flows the table is sized for at first (it grows beyond).
    public var expectedFlows = 4096
    /// The seed of the flows' Community IDs (`--community-id-seed`).
    public var communityIDSeed: UInt16 = 0
    /// Nanoseconds per time bucket (`--bucket`); nil chooses from the capture's span (`TimeBuckets`).
    public var bucketWidth: Int64?
    /// The default `--max-flows`: a flow costs about 0.5 KiB until it is stored, so about 500 MiB.
    public static let defaultMaxFlows = 1_000_000

    public init() {}
}

/// The one path every packet takes, from a file or an interface: filter, totals, decode,
/// flows; and the flush that stores what changed. `analyze`, `live`, the allocation check, the
/// benchmark and the fuzzer all read packets through `read`.
public struct PacketPipeline: ~Copyable {
    private var filter: PacketFilter?
    public private(set) var tracker: FlowTracker
    private var issues = DecodeIssueCounts()
    public private(set) var totals = PacketTotals()
    private var filteredOut: UInt64 = 0
    private var inference: ServiceSideInference
    /// Flow rows written so far.
    public private(set) var storedFlows = 0
    /// The capture's figures per service port, after a flush that wrote it whole (else nil).
    public private(set) var portTotals: [ServicePortTotals]?
    /// Flows held in memory at most (`--max-flows`): reaching it, the longest silent are evicted.
    public let maxFlows: Int
    private let communityIDSeed: UInt16
    /// Flows evicted so far, and the most flows held when one was.
    private var evictedFlows: UInt64 = 0
    private var peakFlows = 0
    /// Flows settled (`settle()`) and not yet taken (`takeSettled`); their indices hold until the next flush.
    private var settled: [DecidedFlow] = []

    public init(filter: consuming PacketFilter?, options: PipelineOptions) {
        self.filter = filter
        maxFlows = options.maxFlows
        communityIDSeed = options.communityIDSeed
        tracker = FlowTracker(timeouts: options.timeouts, expectedFlows: options.expectedFlows,
                              detectsProtocols: options.detectProtocols, bucketWidth: options.bucketWidth)
        inference = ServiceSideInference(registry: options.registry)
    }

    /// The per-packet loop: reads records from `source` through filter, totals, decoder and flow
    /// tracker until it has none ready, `limit` were read, or the flows in memory reach
    /// `maxFlows` (`isFull`: evict, flush, and read on). Returns how many records it read.
    public mutating func read<Source: PacketSource & ~Copyable>(_ source: inout Source,
                                                                limit: UInt64 = .max) throws(CaptureError) -> UInt64 {
        var read: UInt64 = 0
        while read < limit, !isFull, let record = try source.next() {
            try consume(record)
            read += 1
        }
        return read
    }

    /// Counts, decodes and tracks one packet (unless the filter excludes it).
    @inline(__always)
    private mutating func consume(_ record: PacketRecord) throws(CaptureError) {
        if filter != nil, try !filter!.matches(record) {
            filteredOut += 1
            return
        }
        totals.add(record)
        let packet = PacketDecoder.decode(record.bytes, linkType: record.linkType)
        if let issue = packet.issue { issues.add(issue) }
        tracker.add(packet, bytes: record.bytes, wireLength: record.originalLength, time: record.timestamp)
    }

    /// Sets the packet figures of `summary`: totals, times, the Community ID seed, and the packets not fully decoded
    /// or noted, by reason (after any the source added itself).
    public func fill(_ summary: inout CaptureSummary, sourceAnomalies: [(reason: String, packets: UInt64)]) {
        summary.communityIDSeed = communityIDSeed
        summary.packets = totals.packets
        summary.bytes = totals.bytes
        summary.capturedBytes = totals.capturedBytes
        summary.firstTime = totals.packets > 0 ? totals.first : nil
        summary.lastTime = totals.packets > 0 ? totals.last : nil
        summary.anomalies = issues.byReason + sourceAnomalies + [
            ("file.out_of_order", totals.outOfOrder),
            ("flow.fragments_joined", tracker.statistics.fragmentsJoined),
            ("flow.fragments_unjoined", tracker.statistics.fragmentsUnjoined),
            ("flow.evicted", evictedFlows),
            ("filter.excluded", filteredOut),
        ]
    }

    /// Whether the flows in memory reached `maxFlows`: `evict()`, then flush.
    public var isFull: Bool { tracker.table.count >= maxFlows }

    /// Ends the quarter of the flows in memory silent the longest (counted as evicted), so the
    /// flush that must follow stores them for good and frees them.
    public mutating func evict() {
        peakFlows = max(peakFlows, tracker.table.count)
        evictedFlows += UInt64(tracker.evictOldest())
    }

    /// The most flows held in memory at once (as far as evictions saw; at least the flows held now).
    public var flowsHeldAtMost: Int { max(peakFlows, tracker.table.count) }

    /// Names the local process of the flows from `start` on (`FlowTracker.attributeProcesses`).
    public mutating func attributeProcesses(from start: Int, _ resolve: (FlowKey) -> (pid: Int32, command: String)?) -> Int {
        tracker.attributeProcesses(from: start, resolve)
    }

    /// Ends the flows idle at `now` (ns), so the next flush stores them for good and frees them.
    public mutating func expireIdle(now: Int64) {
        tracker.expireIdle(now: now)
    }

    /// Marks the flows that settled by the latest packet (`SettledFlows`): their rows can be
    /// written while reading goes on (`takeSettled`).
    public mutating func settle() {
        settled += tracker.settle(now: totals.last, inference: inference)
    }

    /// How many settled flows wait to be taken.
    public var settledCount: Int { settled.count }

    /// The settled flows, copied out as rows `firstRowID`… to be written while reading goes on.
    public mutating func takeSettled(firstRowID: Int64) -> SettledFlows {
        defer { settled = [] }
        return tracker.rows(of: settled, firstRowID: firstRowID)
    }

    /// Decides the service side of the flows in memory that `scope` covers, as a flush does
    /// (the benchmark times this stage alone).
    public mutating func plan(_ scope: FlushScope, final: Bool = true) -> FlushPlan {
        tracker.withMutableFlows { flows, _ in FlushPlan(flows, scope: scope, final: final, inference: &inference) }
    }

    /// Decides the service side of the flows `scope` covers (`plan`), writes `summary` and those
    /// flows into `store` in one transaction, then frees the flows that ended. Returns the
    /// capture's id (a new row when `capture` is nil).
    public mutating func flush(_ summary: CaptureSummary, into store: borrowing CaptureStore, capture: Int64?,
                               replacing: Int64? = nil, scope: FlushScope = .all) throws(StoreError) -> Int64 {
        // Settled flows not taken are this flush's to write, or settle again (their indices change).
        tracker.withMutableFlows { flows, _ in for flow in settled { flows[flow.index].settled = false } }
        settled = []
        // A running capture (live between flushes, analyze's evictions) decides its open flows again later.
        let plan = plan(scope, final: summary.isFinal)
        let buckets = tracker.buckets
        let wholeCapture = storedFlows == 0  // no flush summed a flow before this one
        let result = try tracker.withMutableFlows { flows, names throws(StoreError) in
            try store.flush(summary, capture: capture, replacing: replacing, flows: UnsafeBufferPointer(flows),
                            plan: plan, names: names, buckets: buckets, wholeCapture: wholeCapture)
        }
        tracker.recordWritten(plan, rowIDs: result.rowIDs)
        storedFlows += result.newFlows
        portTotals = result.portTotals
        tracker.removeEnded()
        if inference.forgetSinglePeers(above: 2 * maxFlows) {
            tracker.withMutableFlows { flows, _ in for i in flows.indices { flows[i].fanInLearned = false } }
        }
        return result.captureID
    }
}

/// Running totals over the packets analyzed.
public struct PacketTotals: Sendable {
    public private(set) var packets: UInt64 = 0
    public private(set) var bytes: UInt64 = 0
    public private(set) var capturedBytes: UInt64 = 0
    /// The earliest and latest packet times (not the first and last records').
    public private(set) var first: Int64 = 0
    public private(set) var last: Int64 = 0

    /// Packets earlier than the one before them.
    public private(set) var outOfOrder: UInt64 = 0
    private var previous: Int64 = 0

    @inline(__always)
    mutating func add(_ record: PacketRecord) {
        let time = record.timestamp
        if packets == 0 {
            (first, last) = (time, time)
        } else {
            if time < previous { outOfOrder += 1 }
            first = min(first, time)
            last = max(last, time)
        }
        previous = time
        packets += 1
        bytes += UInt64(record.originalLength)
        capturedBytes += UInt64(record.bytes.count)
    }
}
