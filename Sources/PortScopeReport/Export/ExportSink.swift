#if canImport(Glibc)
import Glibc
#endif

/// Where an export goes: a file or standard output, written through a buffer of its own.
public struct ExportSink: ~Copyable {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private var failed = false
    /// The file being written and where it goes once whole: an export to a file appears under
    /// its name complete or not at all (a failed or interrupted one leaves no half log behind).
    private let staging: (partial: String, final: String)?
    private var finished = false
    /// The time the export began (ns since the epoch): Zeek's `#open` and `#close` lines.
    public let openedAt: Int64

    /// Writes to `path`, or standard output when nil.
    public init(path: String?) throws(ExportError) {
        let staging = path.map { (partial: $0 + ".partial", final: $0) }
        // A stream of its own on standard output (the C library's `stdout` is shared state).
        let opened = if let staging { fopen(staging.partial, "w") } else { fdopen(dup(STDOUT_FILENO), "w") }
        guard let opened else { throw .cannotWrite(path: path ?? "standard output", reason: String(cString: strerror(errno))) }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        openedAt = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        file = opened
        self.staging = staging
        buffer.reserveCapacity(Self.capacity)
    }

    deinit {
        fclose(file)
        if !finished, let staging { unlink(staging.partial) }
    }

    private static let capacity = 1 << 16

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.capacity { drain() }
    }

    private mutating func drain() {
        if !buffer.isEmpty && fwrite(buffer, 1, buffer.count, file) != buffer.count { failed = true }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes out what is buffered; throws if any write failed (a full disk, a closed pipe).
    public mutating func finish(path: String?) throws(ExportError) {
        drain()
        if fflush(file) != 0 || ferror(file) != 0 { failed = true }
        if failed { throw .cannotWrite(path: path ?? "standard output", reason: String(cString: strerror(errno))) }
        if let staging {
            guard rename(staging.partial, staging.final) == 0 else {
                throw .cannotWrite(path: staging.final, reason: String(cString: strerror(errno)))
            }
        }
        finished = true
    }
}

/// Why an export could not be written.
public enum ExportError: Error, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
