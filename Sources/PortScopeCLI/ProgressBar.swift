#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on stderr, for terminals only: over a whole batch of captures, the
/// captures done, the bytes read and the time left. Standard input has no known size, so it
/// shows bytes read instead.
final class ProgressBar {
    private let captures: Int
    private let total: UInt64?
    private let enabled: Bool
    private var done = 0
    private var lastDrawn = ""
    private let started = monotonicSeconds()

    /// A bar over `files` read as `captures` captures.
    init(files: [String], captures: Int, enabled: Bool) {
        self.captures = captures
        self.enabled = enabled
        var sum: UInt64 = 0
        for file in files {
            var info = stat()
            guard file != "-", stat(file, &info) == 0, info.st_size > 0 else { sum = 0; break }
            sum += UInt64(info.st_size)
        }
        total = sum > 0 ? sum : nil
    }

    /// Bytes read so far, over the batch.
    func update(_ bytes: UInt64) {
        guard enabled else { return }
        var line = captures > 1 ? "\(done)/\(captures) captures " : ""
        if let total {
            let percent = Int(min(100, bytes * 100 / total))
            let filled = percent * 30 / 100
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] \(percent)%"
            let elapsed = monotonicSeconds() - started
            if bytes > 0, elapsed >= 1 {
                line += ", \(Int(Double(total - min(bytes, total)) / (Double(bytes) / elapsed)))s left"
            }
        } else {
            line += "\(bytes >> 20) MiB read"
        }
        guard line != lastDrawn else { return }
        lastDrawn = line
        writeError("\r" + line + "\u{1B}[K")
    }

    /// Clears the bar (before a line is printed); `captureDone` counts one more capture done.
    func clear(captureDone: Bool = false) {
        if captureDone { done += 1 }
        guard enabled, !lastDrawn.isEmpty else { return }
        lastDrawn = ""
        writeError("\r\u{1B}[K")
    }
}

private func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
