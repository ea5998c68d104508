import PortScopeDecode

/// Packets per decode issue, in fixed storage: counting allocates nothing.
public struct DecodeIssueCounts: Sendable {
    private var counts = [UInt64](repeating: 0, count: DecodeIssue.indexCount)

    public init() {}

    @inline(__always)
    public mutating func add(_ issue: DecodeIssue) { counts[issue.index] &+= 1 }

    /// Non-zero counts by stable reason text (`truncated.ipv4`, …).
    public var byReason: [(reason: String, packets: UInt64)] {
        DecodeIssue.all.compactMap { issue in counts[issue.index] > 0 ? (issue.reason, counts[issue.index]) : nil }
    }
}
