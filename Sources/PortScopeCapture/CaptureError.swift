/// Why a capture could not be opened or read at all. Damage found after the first packets does
/// not throw: the reader stops there and says why in `CaptureFileStatistics.damage`.
public enum CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read (errno text).
    case io(path: String, reason: String)
    /// The first bytes are not a pcap or pcapng header.
    case notACapture(path: String)
    /// A pcap or pcapng header PortScope cannot read (version, reserved bits, sizes).
    case unreadableHeader(path: String, reason: String)
    /// A capture filter libpcap would not compile.
    case badFilter(expression: String, reason: String)
    /// An interface could not be opened for capture, or capture on it failed.
    case interface(name: String, reason: String)
    /// Root privileges could not be dropped to the user asked for.
    case privileges(user: String, reason: String)

    public var description: String {
        switch self {
        case .io(let path, let reason): "\(path): \(reason)"
        case .notACapture(let path): "\(path): not a pcap or pcapng capture file"
        case .unreadableHeader(let path, let reason): "\(path): unreadable capture header: \(reason)"
        case .badFilter(let expression, let reason): "bad filter '\(expression)': \(reason)"
        case .interface(let name, let reason): "\(name): \(reason)"
        case .privileges(let user, let reason): "cannot run as user '\(user)': \(reason)"
        }
    }
}
