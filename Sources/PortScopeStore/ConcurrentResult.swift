import Dispatch

/// A value computed on another thread (the second core) while this one goes on; `value()`
/// waits for it. The work must only read what the caller leaves untouched until then.
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

    /// The value, once the work is done (waits for it the first time).
    func value() -> Value {
        if !waited {
            done.wait()
            waited = true
        }
        return result!
    }
}
