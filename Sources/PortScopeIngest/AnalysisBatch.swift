import Dispatch
import PortScopeStore
import Synchronization

/// Captures analyzed separately, read in parallel — one worker per core, each with its own
/// database connection — and stored each in its own transaction in the order given, so the
/// database ends exactly as analyzing them one after another leaves it (ids, duplicates).
public enum AnalysisBatch {
    /// What one capture of the batch came to.
    public typealias Outcome = Result<AnalysisResult, AnalysisError>

    /// Analyzes each of `captures` (the files of one capture each) into the database at `path`
    /// with `workers` workers. `report` is called for each capture in order, on its worker's
    /// connection, while the next ones wait; `progress` with the bytes read so far over the batch.
    /// - Throws: `StoreError` when a worker cannot open the database.
    public static func run(_ captures: [[String]], database path: String, options: AnalysisOptions, workers: Int,
                           progress: @escaping @Sendable (UInt64) -> Void = { _ in },
                           report: @escaping @Sendable (Int, Outcome, borrowing CaptureStore) -> Void) throws(StoreError) {
        // Turn i opens when capture i - 1 is stored and reported. Each semaphore is signalled
        // once and waited on once (libdispatch refuses to free one below its initial value).
        let turns = captures.indices.map { _ in DispatchSemaphore(value: 0) }
        turns.first?.signal()
        let next = Atomic<Int>(0)
        let bytes = Mutex([UInt64](repeating: 0, count: captures.count))
        let failure = Mutex<StoreError?>(nil)
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, captures.count))) { _ in
            let store: CaptureStore
            do throws(StoreError) { store = try CaptureStore(path: path) } catch {
                failure.withLock { $0 = $0 ?? error }
                // Whoever cannot write still passes each turn it takes, so no other worker waits forever.
                while case let i = next.add(1, ordering: .relaxed).oldValue, i < captures.count {
                    turns[i].wait()
                    if i + 1 < captures.count { turns[i + 1].signal() }
                }
                return
            }
            while case let i = next.add(1, ordering: .relaxed).oldValue, i < captures.count {
                var waited = false
                let outcome: Outcome
                do throws(AnalysisError) {
                    let result = try CaptureAnalysis.run(paths: captures[i], store: store, options: options, progress: { read in
                        progress(bytes.withLock { all in
                            all[i] = read
                            return all.reduce(0, +)
                        })
                    }, turn: { wait in
                        if wait { turns[i].wait() } else if turns[i].wait(timeout: .now()) == .timedOut { return false }
                        waited = true
                        return true
                    })
                    outcome = .success(result)
                } catch {
                    outcome = .failure(error)
                }
                if !waited { turns[i].wait() }
                report(i, outcome, store)
                if i + 1 < captures.count { turns[i + 1].signal() }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
