/// How many flows each rule of `ServiceDecision` decided, e.g. `tcp_syn 12, port_fan_in 3`.
public struct DecisionCounts: Sendable, Equatable, CustomStringConvertible {
    public private(set) var counts: [String: Int64] = [:]

    mutating func add(_ decision: String, _ flows: Int64) { counts[decision, default: 0] += flows }
    mutating func add(_ other: DecisionCounts) { for (decision, n) in other.counts { add(decision, n) } }

    /// The rules, most flows first.
    public var description: String {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
