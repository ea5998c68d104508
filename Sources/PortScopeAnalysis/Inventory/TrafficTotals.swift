import PortScopeSQLite
import PortScopeStore

/// Sums over flows (`ServiceFigures`, read through as `totals.packetsC2S`…) and how their
/// server sides were decided.
@dynamicMemberLookup
public struct TrafficTotals: Sendable, Equatable {
    public var figures = ServiceFigures()
    public var decisions = DecisionCounts()
    public var apps = AppMix()
    /// The server names the payload gave (`flows.app_name`: TLS SNI, HTTP Host).
    public var names: Set<String> = []
    /// The capturing host's processes at the flows' local ends (`flows.local_process`, `live` on Linux).
    public var processes: Set<String> = []

    public subscript<T>(dynamicMember path: WritableKeyPath<ServiceFigures, T>) -> T {
        get { figures[keyPath: path] }
        set { figures[keyPath: path] = newValue }
    }
    public subscript<T>(dynamicMember path: KeyPath<ServiceFigures, T>) -> T { figures[keyPath: path] }

    /// The SQL aggregates over flow rows that `init(_:)` reads back by name (`flows`,
    /// `handshakes`, `packets_c2s`, `bytes_c2s`, `packets_s2c`, `bytes_s2c`, `first_ns`, `last_ns`),
    /// over the rows `filter` keeps (every row when nil): the one definition of a total.
    static func sums(where filter: String? = nil) -> String {
        let only = filter.map { " FILTER (WHERE \($0))" } ?? ""
        return [("COUNT(*)", "flows"), ("SUM(handshake)", "handshakes"), ("SUM(packets_c2s)", "packets_c2s"),
                ("SUM(bytes_c2s)", "bytes_c2s"), ("SUM(packets_s2c)", "packets_s2c"), ("SUM(bytes_s2c)", "bytes_s2c"),
                ("MIN(first_ns)", "first_ns"), ("MAX(last_ns)", "last_ns")]
            .map { "\($0.0)\(only) AS \($0.1)" }.joined(separator: ", ")
    }

    mutating func add(_ other: TrafficTotals) {
        figures.add(other.figures)
        decisions.add(other.decisions)
        apps.add(other.apps)
        names.formUnion(other.names)
        processes.formUnion(other.processes)
    }
}

extension TrafficTotals {
    /// Totals from the columns `sums` names.
    init(_ row: QueryRow) {
        figures = ServiceFigures(flows: row["flows"].int, handshakes: row["handshakes"].int, packetsC2S: row["packets_c2s"].int,
                                 bytesC2S: row["bytes_c2s"].int, packetsS2C: row["packets_s2c"].int, bytesS2C: row["bytes_s2c"].int,
                                 first: row["first_ns"].int, last: row["last_ns"].int)
    }
}
