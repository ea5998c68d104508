import PortScopeCapture
import PortScopeFlows
import PortScopeStore

#if canImport(Glibc)
import Glibc
#endif

/// Settings of a `live` run.
public struct LiveOptions: Sendable {
    public var capture: LiveCaptureOptions
    /// Stop after this many nanoseconds.
    public var duration: Int64?
    /// Stop after this many packets.
    public var count: UInt64?
    /// Nanoseconds between flushes to the database.
    public var flushInterval: Int64 = 10_000_000_000
    /// How packets become flows; reaching `maxFlows`, the longest silent are stored and freed at once.
    public var pipeline = PipelineOptions()

    public init(capture: LiveCaptureOptions) {
        self.capture = capture
    }
}

/// Why a live run stopped.
public enum LiveStop: String, Sendable {
    case signal, duration, count
    /// Capture failed (the interface went away): what was captured is stored, status `partial`.
    case error
}

/// What a live run shows while it runs.
public struct LiveStatus: Sendable {
    public var captureID: Int64
    public var packets: UInt64
    public var flowsInMemory: Int
    public var storedFlows: Int
    public var statistics: LiveCaptureStatistics
    /// Flushes committed so far (the database changed when this grows).
    public var flushes: Int
    /// The last flush's error, when it failed (its flows are kept and written by the next one).
    public var flushError: String?
}

/// What a live run did.
public struct LiveResult: Sendable {
    public var captureID: Int64
    public var summary: CaptureSummary
    public var flows: Int
    public var stop: LiveStop
}

/// Captures from an interface through the same pipeline as `analyze`, flushing every interval
/// and at the stop: the `live` command.
public enum LiveAnalysis {
    /// Runs until a stop signal (`StopSignal`), the duration or the count. The capture row is
    /// created at once (status `running`) and brought up to date by every flush; idle flows are
    /// stored for good and freed at each flush, so memory follows the open flows only.
    /// `status` is called about once a second, with the store to read figures back from.
    public static func run(_ capture: inout LiveCapture, store: borrowing CaptureStore, options: LiveOptions,
                           status: (LiveStatus, borrowing CaptureStore) -> Void = { _, _ in }) throws(AnalysisError) -> LiveResult {
        var pipeline = PacketPipeline(filter: nil, options: options.pipeline)
        var summary = CaptureSummary(source: capture.interface, kind: "interface", format: "live",
                                     linkTypes: [capture.linkType.description])
        summary.filter = options.capture.filter
        summary.status = "running"
        summary.writer = CaptureWriter.current
        /// Brings the summary up to date with the pipeline and libpcap's counters; the counters'
        /// error, if libpcap could not give them.
        func update(_ summary: inout CaptureSummary, _ pipeline: borrowing PacketPipeline) -> String? {
            pipeline.fill(&summary, sourceAnomalies: [])
            do {
                let stats = try capture.statistics()
                summary.received = stats.received
                summary.droppedByKernel = stats.droppedByKernel
                summary.droppedByInterface = stats.droppedByInterface
                return nil
            } catch {
                return error.description
            }
        }

        if let failure = update(&summary, pipeline) { throw .capture(.interface(name: capture.interface, reason: failure)) }
        let id: Int64
        do { id = try pipeline.flush(summary, into: store, capture: nil) } catch { throw .store(error) }
        // The host's listeners from the start, and the process of each local flow as it appears.
        var host = HostWatch()
        do { try host.record(into: store, capture: id, at: realtimeNow()) } catch { throw .store(error) }

        let second: Int64 = 1_000_000_000
        let start = monotonicNow()
        let deadline = options.duration.map { start + $0 }
        var nextFlush = start + options.flushInterval, nextStatus = start + second
        var flushes = 1
        var flushError: String?
        var stop: LiveStop?
        func remaining(_ pipeline: borrowing PacketPipeline) -> UInt64 {
            options.count.map { $0 - min($0, pipeline.totals.packets) } ?? .max
        }
        // At most this many packets per read, so flushes, the status line and stop requests are
        // served under a flood too.
        let batch: UInt64 = 65_536
        /// Reads what is ready (up to `batch`); the capture's error text when it failed.
        func read(_ pipeline: inout PacketPipeline) -> (handled: UInt64, failure: String?) {
            do {
                return (try pipeline.read(&capture, limit: min(batch, remaining(pipeline))), nil)
            } catch {
                return (0, error.description)
            }
        }

        /// Stores what changed: idle flows ended, the longest silent evicted when the pipeline
        /// is full. A failed flush keeps its flows in memory for the next (shown on the status line).
        func flush(_ pipeline: inout PacketPipeline, _ summary: inout CaptureSummary) {
            pipeline.expireIdle(now: realtimeNow())
            if pipeline.isFull { pipeline.evict() }
            if let failure = update(&summary, pipeline) {
                summary.damage = failure
                stop = .error
            }
            do {
                host.attribute(&pipeline, all: true)
                _ = try pipeline.flush(summary, into: store, capture: id)
                try host.record(into: store, capture: id, at: realtimeNow())
                flushes += 1
                flushError = nil
            } catch {
                flushError = error.description
            }
        }

        while stop == nil {
            let now = monotonicNow()
            let wake = min(nextFlush, nextStatus, deadline ?? .max)
            capture.wait(milliseconds: Int32(clamping: max(0, min(250, (wake - now) / 1_000_000))))
            var outcome = read(&pipeline)
            host.attribute(&pipeline)
            if outcome.failure == nil && StopSignal.pending != nil {
                // Packets already in the kernel's buffer were captured before the stop: keep them,
                // storing early what a full pipeline must.
                while outcome.failure == nil && (outcome.handled == batch || pipeline.isFull) {
                    if pipeline.isFull { flush(&pipeline, &summary) }
                    outcome = read(&pipeline)
                }
                if outcome.failure == nil { stop = .signal }
            }
            if let failure = outcome.failure {
                summary.damage = failure
                stop = .error
            } else if stop == nil && remaining(pipeline) == 0 {
                stop = .count
            } else if stop == nil, let deadline, monotonicNow() >= deadline {
                stop = .duration
            }
            let after = monotonicNow()
            if stop == nil && (after >= nextFlush || pipeline.isFull) {
                flush(&pipeline, &summary)
                nextFlush = after + options.flushInterval
            }
            if after >= nextStatus || stop != nil {
                // Counters libpcap could not give are shown as the last ones stored.
                let statistics = (try? capture.statistics()) ?? LiveCaptureStatistics(
                    received: summary.received ?? 0, droppedByKernel: summary.droppedByKernel ?? 0,
                    droppedByInterface: summary.droppedByInterface ?? 0)
                status(LiveStatus(captureID: id, packets: pipeline.totals.packets,
                                  flowsInMemory: pipeline.tracker.table.count, storedFlows: pipeline.storedFlows,
                                  statistics: statistics, flushes: flushes, flushError: flushError), store)
                nextStatus = after + second
            }
        }

        if let failure = update(&summary, pipeline), summary.damage == nil {
            summary.damage = failure
            stop = .error
        }
        summary.status = stop == .error ? "partial" : "complete"
        host.attribute(&pipeline, all: true)
        do {
            _ = try pipeline.flush(summary, into: store, capture: id)
            try host.record(into: store, capture: id, at: realtimeNow())
        } catch { throw .store(error) }
        return LiveResult(captureID: id, summary: summary, flows: pipeline.storedFlows, stop: stop ?? .signal)
    }

}

/// Nanoseconds on the monotonic clock (intervals) and since 1970 (stored times).
func monotonicNow() -> Int64 { clockNow(CLOCK_MONOTONIC) }
func realtimeNow() -> Int64 { clockNow(CLOCK_REALTIME) }
private func clockNow(_ clock: clockid_t) -> Int64 {
    var time = timespec()
    clock_gettime(clock, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}
