import PortScopeDecode
import PortScopeStore

/// How one service (server, protocol, port with established traffic) changed between two captures.
public struct ServiceChange: Sendable {
    public enum Kind: String, Sendable, Comparable {
        case added, removed, kept
        public static func < (x: Kind, y: Kind) -> Bool { x.rank < y.rank }
        private var rank: Int { self == .added ? 0 : self == .removed ? 1 : 2 }
    }

    public var kind: Kind
    public var service: ServiceKey
    public var isLocal: Bool
    /// The service's traffic in the earlier and the later capture (nil where it was absent).
    public var before: PeerTraffic?
    public var after: PeerTraffic?
}

/// The whole service inventory change from one capture to another.
public enum ServiceChanges {
    /// Each service `added` or `removed` from captures `a` to captures `b` (each with its time
    /// window), and with `all` the ones `kept`: added first, then removed, then kept, each by service.
    public static func between(_ store: borrowing CaptureStore, _ a: CaptureSelection, _ b: CaptureSelection, all: Bool,
                               hosts: HostSelection, local: LocalNetworks) throws -> [ServiceChange] {
        let before = try ServiceTraffic(store, captures: a).services()
        let after = try ServiceTraffic(store, captures: b).services()
        var changes: [ServiceChange] = []
        for key in Set(before.keys).union(after.keys) where hosts.includes(key.server, local: local) {
            let kind: ServiceChange.Kind = before[key] == nil ? .added : after[key] == nil ? .removed : .kept
            if all || kind != .kept {
                changes.append(ServiceChange(kind: kind, service: key, isLocal: local.contains(key.server),
                                             before: before[key], after: after[key]))
            }
        }
        return changes.sorted { x, y in x.kind != y.kind ? x.kind < y.kind : x.service < y.service }
    }
}
