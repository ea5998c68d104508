import Dispatch
import PortScopeFlows
import PortScopeSQLite

/// Writes the rows of flows that settled while a capture is read (`SettledFlows`), in the order
/// sent, on a thread of its own (the second core) while the caller reads on: the store streamed.
/// The rows go into the transaction `CaptureStore.beginCapture` opened. Between `send` and
/// `drain()` the connection is the stream's: the caller must not use the store until `drain()`
/// returns. Made by `CaptureStore.withFlowRowStream`.
public final class FlowRowStream: @unchecked Sendable {
    /// The connection, valid for the stream's life (`withFlowRowStream` scopes both).
    private let db: UnsafePointer<Database>
    private let path: String
    /// nil: each `send` writes before it returns, on the caller's thread (the single-threaded path).
    private let queue: DispatchQueue?
    /// Sends not yet written, at most: bounds the copies waiting in memory.
    private let slots = DispatchSemaphore(value: 2)
    // Touched only by whoever writes (the queue, or the caller when there is none).
    private var writer: FlowRowWriter?
    private var failure: SQLiteError?

    fileprivate init(_ db: UnsafePointer<Database>, path: String, concurrent: Bool) {
        self.db = db
        self.path = path
        queue = concurrent ? DispatchQueue(label: "portscope.flow-rows", qos: .userInitiated) : nil
    }

    /// Hands the rows of `flows` over, to be written into capture `capture` (Community IDs with
    /// `seed`); waits while two sends are still being written.
    public func send(_ flows: consuming SettledFlows, capture: Int64, seed: UInt16) {
        let box = Sent(flows)
        guard let queue else { return write(box, capture: capture, seed: seed) }
        slots.wait()
        queue.async {
            self.write(box, capture: capture, seed: seed)
            self.slots.signal()
        }
    }

    /// Returns once everything sent is written; the store is the caller's again until the next
    /// `send`. Throws the first failure (the capture then fails whole: its transaction is rolled back).
    public func drain() throws(StoreError) {
        queue?.sync {}
        if let failure { throw .sqlite(path: path, failure) }
    }

    private func write(_ sent: Sent, capture: Int64, seed: UInt16) {
        guard failure == nil, let flows = sent.take() else { return }
        do throws(SQLiteError) {
            if writer == nil { writer = try FlowRowWriter(db.pointee, capture: capture, communityIDSeed: seed) }
            try writer!.write(flows)
        } catch {
            failure = error
        }
    }

    /// Frees the statements once nothing is being written.
    fileprivate func finish() {
        queue?.sync {}
        writer = nil
    }

    /// One send's flows on their way to the writing thread.
    private final class Sent: @unchecked Sendable {
        private var flows: SettledFlows?
        init(_ flows: consuming SettledFlows) { self.flows = .some(flows) }
        func take() -> SettledFlows? { flows.take() }
    }
}

extension CaptureStore {
    /// Runs `body` with a stream writing settled flows' rows through this connection, on the
    /// second core when `concurrent`, else within each `send`; returns once all is written.
    public func withFlowRowStream<R, E: Error>(concurrent: Bool, _ body: (FlowRowStream) throws(E) -> R) throws(E) -> R {
        try withUnsafePointer(to: db) { db throws(E) -> R in
            let stream = FlowRowStream(db, path: path, concurrent: concurrent)
            defer { stream.finish() }
            return try body(stream)
        }
    }
}
