import Dispatch

/// A value computed on another thread (the second core) while this one goes on. The work must
/// only read what the caller leaves untouched until `wait()` or `take()` returns.
final class ConcurrentResult<Value: Sendable>: @unchecked Sendable {
    // Written once by the worker before `done` is signalled, read only after waiting on it.
    private var result: Value?
    private let done = DispatchSemaphore(value: 0)
    /// Whether `done` was waited on (touched by the caller's thread only).
    private var waited = false

    init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global(qos: .userInitiated).async {
            self.result = work()
            self.done.signal()
        }
    }

    /// Returns once the work is done.
    func wait() {
        guard !waited else { return }
        done.wait()
        waited = true
    }

    /// The value, once the work is done, handed over: this keeps no reference to it (so the
    /// caller can free it early). Once only.
    func take() -> Value {
        wait()
        defer { result = nil }
        return result!
    }
}
