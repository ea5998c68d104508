#if canImport(Glibc)
import Glibc
#endif

/// Where an export goes: a file or standard output, written through a buffer of its own.
public struct ExportSink: ~Copyable {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private var failed = false
    /// The time the export began (ns since the epoch): Zeek's `#open` and `#close` lines.
    public let openedAt: Int64

    /// Writes to `path`, or standard output when nil.
    public init(path: String?) throws(ExportError) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        openedAt = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        if let path {
            guard let file = fopen(path, "w") else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
            self.file = file
        } else {
            // A stream of its own on standard output (the C library's `stdout` is shared state).
            guard let file = fdopen(dup(STDOUT_FILENO), "w") else {
                throw .cannotWrite(path: "standard output", reason: String(cString: strerror(errno)))
            }
            self.file = file
        }
        buffer.reserveCapacity(Self.capacity)
    }

    deinit { fclose(file) }

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
