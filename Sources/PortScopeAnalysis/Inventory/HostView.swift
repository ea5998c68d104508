import PortScopeDecode
import PortScopeStore

/// Which hosts the host view shows.
public struct HostSelection: Sendable {
    /// Only hosts in these networks (an address is a network of one); every host when nil.
    public var networks: [IPNetwork]?
    /// Only local hosts.
    public var localOnly = false

    public init(networks: [IPNetwork]? = nil, localOnly: Bool = false) {
        self.networks = networks
        self.localOnly = localOnly
    }

    /// Whether `host` is shown. A multicast group or the broadcast address is never a host,
    /// whatever was sent to it.
    func includes(_ host: IPAddress, local: LocalNetworks) -> Bool {
        if host.isGroupAddress { return false }
        if localOnly && !local.contains(host) { return false }
        guard let networks else { return true }
        return networks.contains { $0.contains(host) }
    }
}

/// One line of the host view: a service a host serves (with its clients), or a remote service
/// it uses.
public struct HostService: Sendable {
    public var host: IPAddress
    public var isLocal: Bool
    public var serves: Bool
    public var service: ServiceKey
    /// The server used (uses only).
    public var remote: IPAddress?
    /// Distinct clients (serves only).
    public var clients: Int?
    /// Distinct servers used (a use summarised over its servers, `HostView.summarised`).
    public var servers: Int? = nil
    public var totals: TrafficTotals

    /// Packets and bytes from the host's own side: a server receives what clients send, a
    /// client sends it.
    public var packetsIn: Int64 { serves ? totals.packetsC2S : totals.packetsS2C }
    public var packetsOut: Int64 { serves ? totals.packetsS2C : totals.packetsC2S }
    public var bytesIn: Int64 { serves ? totals.bytesC2S : totals.bytesS2C }
    public var bytesOut: Int64 { serves ? totals.bytesS2C : totals.bytesC2S }
}

/// Per host, the services it serves (one line per service: its clients and traffic each way)
/// and the services it uses (one line per remote service). Only established traffic counts
/// (`FlowEvidence`); probes are the `scan` finding's.
public enum HostView {
    /// The lines for the hosts `hosts` selects: local hosts first, then by address; serves
    /// before uses; the busiest first.
    public static func lines(_ store: borrowing CaptureStore, captures: CaptureSelection, hosts: HostSelection,
                             local: LocalNetworks) throws -> [HostService] {
        let traffic = try ServiceTraffic(store, captures: captures)
        var lines: [HostService] = []
        for (service, use) in traffic.services() where hosts.includes(service.server, local: local) {
            lines.append(HostService(host: service.server, isLocal: local.contains(service.server), serves: true,
                                     service: service, remote: nil, clients: use.peers.count, totals: use.totals))
        }
        for pair in traffic.pairs where hosts.includes(pair.client, local: local) {
            lines.append(HostService(host: pair.client, isLocal: local.contains(pair.client), serves: false,
                                     service: pair.service, remote: pair.service.server, clients: nil, totals: pair.totals))
        }
        return sorted(lines)
    }

    /// `lines` with each host's uses of one protocol and port summed over the servers it
    /// reached (`servers` counts them; `remote` stays only when there was one): what the host
    /// uses per service (`uses tcp/443 on 21 servers`).
    public static func summarised(_ lines: [HostService]) -> [HostService] {
        struct Use: Hashable { var host: IPAddress; var proto: IPProtocol; var port: UInt16 }
        var summary: [HostService] = [], index: [Use: Int] = [:]
        for line in lines {
            guard !line.serves, let remote = line.remote else { summary.append(line); continue }
            let use = Use(host: line.host, proto: line.service.proto, port: line.service.port)
            guard let i = index[use] else {
                index[use] = summary.count
                summary.append(line)
                summary[summary.count - 1].servers = 1
                continue
            }
            summary[i].totals.add(line.totals)
            summary[i].servers! += 1
            if summary[i].remote != remote { summary[i].remote = nil }
        }
        return sorted(summary)
    }

    /// Local hosts first, then by address; serves before uses; the busiest first.
    private static func sorted(_ lines: [HostService]) -> [HostService] {
        lines.sorted { a, b in
            if a.isLocal != b.isLocal { return a.isLocal }
            if a.host != b.host { return a.host < b.host }
            if a.serves != b.serves { return a.serves }
            if a.totals.bytes != b.totals.bytes { return a.totals.bytes > b.totals.bytes }
            return a.service < b.service
        }
    }
}
