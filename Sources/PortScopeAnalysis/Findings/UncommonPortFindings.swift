import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// Services on ports outside `CommonServices`; fan-in on a dynamic port weighs most.
enum UncommonPortFindings {
    /// Control services that hand their clients another port of the same server (FTP passive
    /// data, MS-RPC and ONC RPC dynamic endpoints, TFTP transfers, SIP/RTSP media): traffic
    /// between two hosts that also share one of these is explained, not uncommon.
    /// Protocols that negotiate media ports between the hosts they run between (STUN's ICE
    /// checks run on the very ports the media then takes): explained as passive FTP is.
    static let negotiatingApps = ["stun"]

    static let controlServices = ["tcp/21", "tcp/111", "tcp/135", "tcp/554", "tcp/5060", "tcp/5061", "udp/69", "udp/111", "udp/5060"]

    static func find(_ store: borrowing CaptureStore, captures: CaptureSelection, traffic: ServiceTraffic,
                     common: CommonServices, registry: ServiceRegistry, local: LocalNetworks) throws -> [Finding] {
        let related = try HostPair.sharing(controlServices, apps: negotiatingApps, store, captures: captures)
        let services = traffic.services { pair in
            !common.contains(pair.service.proto, pair.service.port) && !pair.service.server.isGroupAddress
                && !related.contains(HostPair(pair.service.server, pair.client))
        }
        return services.map { service, use in
            let dynamic = PortClass(port: service.port) == .dynamic, fanIn = use.peers.count >= 2
            let severity: Severity = dynamic && fanIn ? .high : fanIn ? .medium : .low
            let place = local.contains(service.server) ? "" : "external "
            // What runs there, when the payload told.
            let app = use.totals.apps.main.flatMap { $0 == "unknown" ? nil : "\($0) on " } ?? ""
            return Finding(
                kind: .uncommonPort, severity: severity, host: service.server, proto: service.proto, port: service.port,
                reason: "\(place)\(service.server) serves \(app)\(describe(service.proto, service.port, registry, unnamed: " (unregistered)")) to \(counted(use.peers.count, "client"))"
                    + (dynamic ? " on a dynamic port" : "") + ", not a commonly used service port",
                brief: "to \(counted(use.peers.count, "client"))" + [
                    local.contains(service.server) ? nil : "external", registry.name(service.proto, service.port) == nil ? "unregistered" : nil,
                    dynamic ? "dynamic" : nil, use.totals.apps.main.flatMap { $0 == "unknown" ? nil : "carries \($0)" },
                ].compactMap { $0 }.reduce("") { $0 + ($0.isEmpty ? "; " : ", ") + $1 },
                rule: "uncommon_port: port not in the common services list (CommonServices.swift); "
                    + "high for 2+ clients on a dynamic port (49152-65535), medium for 2+ clients, low for one; "
                    + "clients that share an FTP/RPC/TFTP/SIP/RTSP control flow or a STUN/ICE exchange with the server are explained",
                evidence: Evidence(use))
        }
    }
}
