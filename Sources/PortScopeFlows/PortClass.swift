/// IANA's three port ranges (RFC 6335 §6).
public enum PortClass: String, Sendable, CaseIterable {
    /// 0–1023, "system" ports.
    case wellKnown = "well-known"
    /// 1024–49151, "user" ports.
    case registered
    /// 49152–65535, never assigned.
    case dynamic

    public init(port: UInt16) {
        switch port {
        case 0...1023: self = .wellKnown
        case 1024...49151: self = .registered
        default: self = .dynamic
        }
    }
}
