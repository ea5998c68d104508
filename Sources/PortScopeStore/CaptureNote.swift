/// What a stored anomaly reason (`capture_anomalies.reason`) says about a capture: the one
/// definition `analyze`, `live` and `captures` use to list packets that were not fully decoded
/// apart from notes about packets read as intended.
public enum CaptureNoteKind: String, Sendable {
    /// Packets the decoder could not read to the end (cut short, self-contradicting, a link type
    /// PortScope cannot read, fragments whose first part never came) and damage in the file.
    case notDecoded = "not_decoded"
    /// Frames that carry no IP, or a protocol PortScope does not read (ARP, STP, LLDP, OSPF, …),
    /// packets the filter left out, packets out of time order, fragments joined to their flow,
    /// flows stored early: all read as intended, none a failure.
    case note

    /// The kind of `reason`. A reason this build does not know counts as not decoded, so that a
    /// failure is never hidden among the notes.
    public init(reason: String) {
        switch reason {
        case "unsupported.link_type": self = .notDecoded
        case _ where reason.hasPrefix("unsupported."): self = .note
        case "filter.excluded", "file.out_of_order", "flow.fragments_joined", "flow.evicted": self = .note
        default: self = .notDecoded
        }
    }

    /// `reason` with what it means in words, where the reason alone does not say it.
    public static func label(_ reason: String) -> String {
        switch reason {
        case "unsupported.ethertype": "\(reason) (non-IP frames: ARP, STP, LLDP, …)"
        case "unsupported.ip_protocol": "\(reason) (other IP protocols: IGMP, OSPF, VRRP, …)"
        default: reason
        }
    }

    /// `anomalies` of this kind, as `reason N, reason N` (nil when there are none).
    public func list(_ anomalies: [(reason: String, packets: UInt64)], labelled: Bool = false) -> String? {
        let chosen = anomalies.filter { $0.packets > 0 && CaptureNoteKind(reason: $0.reason) == self }
        guard !chosen.isEmpty else { return nil }
        return chosen.map { "\(labelled ? Self.label($0.reason) : $0.reason) \($0.packets)" }.joined(separator: ", ")
    }
}
