import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM as a request to stop cleanly: the handler only records the signal; the
/// capture loop sees it within one wait and finishes with a final flush. The handler resets
/// itself, so a second signal ends the process at once (stored data is safe: every flush is one
/// transaction).
public enum StopSignal {
    private static let received = Atomic<Int32>(0)

    /// Installs the handler for SIGINT and SIGTERM, and unblocks them: a parent may have started
    /// us with them blocked (Foundation's `Process` does), and a stop request must never be lost.
    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in StopSignal.received.store(signal, ordering: .relaxed) }
        action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
        sigemptyset(&action.sa_mask)
        var stops = sigset_t()
        sigemptyset(&stops)
        for signal in [SIGINT, SIGTERM] {
            sigaction(signal, &action, nil)
            sigaddset(&stops, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &stops, nil)
    }

    /// The signal received, if any.
    public static var pending: Int32? {
        let signal = received.load(ordering: .relaxed)
        return signal == 0 ? nil : signal
    }
}
