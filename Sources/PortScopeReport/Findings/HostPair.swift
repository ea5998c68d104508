import PortScopeDecode
import PortScopeStore

/// Two hosts, in either order.
struct HostPair: Hashable {
    var low: IPAddress, high: IPAddress
    init(_ a: IPAddress, _ b: IPAddress) { (low, high) = a < b ? (a, b) : (b, a) }

    /// The host pairs with a flow that meets the SQL `condition`.
    static func sharing(_ condition: String, _ store: borrowing CaptureStore, captures: CaptureSelection) throws -> Set<HostPair> {
        let rows = try store.rows("""
            SELECT DISTINCT client_addr, server_addr FROM flows WHERE \(captures.condition()) AND (\(condition))
            """)
        return Set(rows.compactMap { row in
            guard let a = IPAddress(row[0].text), let b = IPAddress(row[1].text) else { return nil }
            return HostPair(a, b)
        })
    }
}
