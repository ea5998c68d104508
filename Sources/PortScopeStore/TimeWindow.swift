import PortScopeSQLite

/// A span of time reports keep to (`--since`, `--until`), in nanoseconds since 1970: a flow
/// counts when it was active in it (its last packet at or after `since`, its first before
/// `until`), whole; a time bucket when it starts in it. Nil ends are open.
public struct TimeWindow: Sendable, Equatable {
    public var since: Int64?
    public var until: Int64?

    /// No limit.
    public static let always = TimeWindow()

    public init(since: Int64? = nil, until: Int64? = nil) {
        self.since = since
        self.until = until
    }

    public var isUnlimited: Bool { since == nil && until == nil }

    /// The values of `:since` and `:until`.
    public var parameters: [String: Statement.Value] {
        [":since": since.map { .int($0) } ?? .null, ":until": until.map { .int($0) } ?? .null]
    }

    /// The SQL condition over a flow-shaped table (`alias.` before each column, "" for none):
    /// active in the window of `:since` and `:until` (unbound parameters are null: no limit).
    public static func flowCondition(alias: String = "") -> String {
        let t = alias.isEmpty ? "" : alias + "."
        return "(:since IS NULL OR \(t)last_ns >= :since) AND (:until IS NULL OR \(t)first_ns < :until)"
    }
}
