import PortScopeDecode
import PortScopeFlows
import PortScopeHost
import PortScopeStore

/// The capturing host's own sockets during `live`: read at the start and at each flush and
/// stored with the capture (its listeners, and what could not be read), and used to name the
/// process at the local end of each new flow as soon as its first packets are handled, so a
/// connection that lasts milliseconds is still named (its socket, or the listener that took it).
struct HostWatch {
    private(set) var snapshot: HostSnapshot
    private var readAt: Int64
    /// Flows before this index were looked up.
    private var attributed = 0
    /// A lookup that misses reads the tables again, at most this often (ns).
    static let refreshInterval: Int64 = 20_000_000

    init() {
        snapshot = HostSnapshot.read()
        readAt = monotonicNow()
    }

    /// Reads the tables again and stores the listeners with `capture`.
    mutating func record(into store: borrowing CaptureStore, capture: Int64, at time: Int64) throws(StoreError) {
        snapshot = HostSnapshot.read()
        readAt = monotonicNow()
        let rows = snapshot.listeners.map { listener in
            ListenerRow(proto: listener.proto.name, address: listener.address.description, port: listener.port,
                        bound: listener.binding.rawValue, pid: listener.owner?.pid ?? 0, process: listener.owner?.command,
                        user: listener.owner?.user)
        }
        try store.recordHost(capture: capture, listeners: rows, addresses: snapshot.addresses.sorted().map(\.description), unreadable: snapshot.unreadable.isEmpty ? nil : snapshot.unreadable.joined(separator: "; "),
                             at: time)
    }

    /// Names the local process of the flows not looked up yet (all of them when `all`, as after
    /// a flush, whose reading is fresh), reading the tables again once when one with a local end is not found.
    mutating func attribute(_ pipeline: inout PacketPipeline, all: Bool = false) {
        var refreshed = false
        attributed = pipeline.attributeProcesses(from: all ? 0 : attributed) { key in
            if let found = lookup(key) { return found }
            guard !refreshed, monotonicNow() - readAt >= Self.refreshInterval,
                  snapshot.isLocal(key.addressA) || snapshot.isLocal(key.addressB) else { return nil }
            refreshed = true
            snapshot = HostSnapshot.read()
            readAt = monotonicNow()
            return lookup(key)
        }
    }

    private func lookup(_ key: FlowKey) -> (pid: Int32, command: String)? {
        for (local, localPort, remote, remotePort) in [(key.addressA, key.portA, key.addressB, key.portB),
                                                       (key.addressB, key.portB, key.addressA, key.portA)]
        where snapshot.isLocal(local) {
            if let owner = snapshot.owner(key.proto, local: local, localPort: localPort, remote: remote, remotePort: remotePort) {
                return (owner.pid, owner.command)
            }
        }
        return nil
    }
}
