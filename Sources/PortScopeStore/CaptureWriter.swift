#if canImport(Glibc)
import Glibc
#endif

/// Who writes a `running` capture: `host:pid`. A live run killed without its last flush leaves
/// its row `running`; its writer being gone is how a reader tells it was interrupted.
public enum CaptureWriter {
    /// This process, as stored in `captures.writer`.
    public static var current: String { "\(hostName):\(getpid())" }

    /// Whether `writer` names a process of this host that no longer runs. A writer on another
    /// host cannot be checked from here: not gone, as far as this host can tell.
    public static func isGone(_ writer: String) -> Bool {
        guard let colon = writer.lastIndex(of: ":"), writer[..<colon] == hostName,
              let pid = pid_t(writer[writer.index(after: colon)...]) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// This host's name: the sensor stored with each capture it makes (`captures.sensor`).
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
