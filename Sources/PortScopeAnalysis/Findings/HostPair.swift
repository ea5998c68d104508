import PortScopeDecode
import PortScopeSQLite
import PortScopeStore

/// Two hosts, in either order.
struct HostPair: Hashable {
    var low: IPAddress, high: IPAddress
    init(_ a: IPAddress, _ b: IPAddress) { (low, high) = a < b ? (a, b) : (b, a) }

    /// The host pairs with a flow whose server port is one of `services` (`tcp/21`, `udp/69`), or
    /// whose payload was one of `apps` (`stun`).
    static func sharing(_ services: [String], apps: [String] = [], _ store: borrowing CaptureStore,
                        captures: CaptureSelection) throws -> Set<HostPair> {
        let rows = try store.query("""
            WITH \(CaptureSelection.selected)
            SELECT DISTINCT client_addr, server_addr FROM flows
            WHERE capture_id IN selected AND (proto || '/' || server_port IN (SELECT value FROM json_each(:services))
                                              OR app_proto IN (SELECT value FROM json_each(:apps)))
            """, [":captures": captures.parameter, ":services": .jsonArray(services), ":apps": .jsonArray(apps)])
        return Set(rows.compactMap { row in
            guard let a = IPAddress(row["client_addr"].text), let b = IPAddress(row["server_addr"].text) else { return nil }
            return HostPair(a, b)
        })
    }
}
