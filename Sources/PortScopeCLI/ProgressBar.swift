#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on stderr, for terminals only. Standard input has no known size,
/// so it shows bytes read instead.
final class ProgressBar {
    private let label: String
    private let total: UInt64?
    private let enabled: Bool
    private var lastDrawn = -1

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled
        var info = stat()
        total = label != "-" && stat(label, &info) == 0 && info.st_size > 0 ? UInt64(info.st_size) : nil
    }

    func update(_ bytes: UInt64) {
        guard enabled else { return }
        if let total {
            let percent = Int(min(100, bytes * 100 / total))
            guard percent != lastDrawn else { return }
            lastDrawn = percent
            let filled = percent * 30 / 100
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
            writeError("\r\(label) [\(bar)] \(percent)%")
        } else {
            writeError("\r\(label) \(bytes >> 20) MiB read")
        }
    }

    func finish() {
        guard enabled else { return }
        writeError("\r\u{1B}[K")
    }
}
