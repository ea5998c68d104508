import Dispatch
import PortScopeStore
import Synchronization

/// `live --clickhouse`: a live capture sent to ClickHouse after each flush commits locally, on a
/// thread of its own with its own read connection, so a slow or silent server never holds up
/// the capture. The local database is the backlog: while ClickHouse does not answer, every
/// flush stays there, and the first send that gets through brings ClickHouse level with all of
/// them (`CaptureSend`: nothing lost, nothing doubled). Each send compares only what can have
/// changed since the last that got through; the last send compares everything.
public final class ClickHouseFeed: Sendable {
    /// How far ClickHouse is behind the local database.
    public struct State: Sendable, Equatable {
        /// Flushes committed locally that ClickHouse does not have yet.
        public var backlog = 0
        /// Why the last send failed; nil when it got through.
        public var error: String?
        /// Rows sent so far.
        public var rows = 0

        public init() {}
    }

    private struct Progress {
        var state = State()
        /// Flushes committed locally, and how many of them ClickHouse has.
        var committed = 0, sent = 0
        var sending = false
        var horizon: CaptureSend.Horizon?
        var prepared = false
    }

    private let export: ClickHouseExport
    private let path: String
    private let capture: Int64
    private let progress = Mutex(Progress())
    private let queue = DispatchQueue(label: "portscope.clickhouse")

    /// Sends capture `capture` of the database at `path` as `export` says.
    public init(_ export: ClickHouseExport, path: String, capture: Int64) {
        self.export = export
        self.path = path
        self.capture = capture
    }

    public var server: ClickHouseServer { export.server }

    public var state: State { progress.withLock { $0.state } }

    /// `flushes` flushes have committed: sends them (and any backlog) unless a send is under
    /// way, which then takes them too. Returns at once.
    public func flushed(through flushes: Int) {
        let start = progress.withLock { p -> Bool in
            guard flushes > p.committed else { return false }
            p.committed = flushes
            p.state.backlog = p.committed - p.sent
            guard !p.sending else { return false }
            p.sending = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    /// Sends until ClickHouse has every committed flush, or a send fails (the next flush retries).
    private func drain() {
        while true {
            let (target, horizon) = progress.withLock { p in (p.committed, p.horizon) }
            let outcome: CaptureSend.Outcome?, failure: String?
            do { (outcome, failure) = (try sendOnce(horizon: horizon), nil) } catch { (outcome, failure) = (nil, "\(error)") }
            let more = progress.withLock { p -> Bool in
                if let outcome {
                    p.sent = target
                    p.horizon = outcome.next
                    p.state.rows += outcome.rows
                }
                p.state.error = failure
                p.state.backlog = p.committed - p.sent
                p.sending = p.state.error == nil && p.committed > p.sent
                return p.sending
            }
            if !more { return }
        }
    }

    private func sendOnce(horizon: CaptureSend.Horizon?) throws -> CaptureSend.Outcome {
        if !progress.withLock({ $0.prepared }) {
            try export.prepare()
            progress.withLock { $0.prepared = true }
        }
        let store = try CaptureStore(readingFrom: path)
        guard let capture = try export.captures(store, CaptureSelection(ids: [capture])).first else { return CaptureSend.Outcome() }
        return try export.send(capture, from: store, horizon: horizon)
    }

    /// After the capture's last flush: waits for any send under way, then sends the whole capture
    /// (compared in full). The state after it: a backlog left when ClickHouse did not answer.
    public func finish() -> State {
        queue.sync {}
        progress.withLock { $0.committed += 1; $0.horizon = nil }
        queue.sync { drain() }
        return state
    }
}
