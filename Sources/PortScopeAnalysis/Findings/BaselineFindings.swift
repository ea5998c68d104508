import PortScopeDecode
import PortScopeFlows

/// Services of local hosts that appeared since a baseline capture, and ones that vanished.
enum BaselineFindings {
    static func find(baseline: ServiceTraffic, baselineName: String, current: ServiceTraffic,
                     local: LocalNetworks, registry: ServiceRegistry) -> [Finding] {
        let before = baseline.services { local.contains($0.service.server) }
        let now = current.services { local.contains($0.service.server) }
        let rule = "baseline: local services (server, protocol, port) with established traffic, compared with \(baselineName)"
        return now.filter { before[$0.key] == nil }.map { key, use in
            Finding(kind: .newService, severity: .medium, host: key.server, proto: key.proto, port: key.port,
                    reason: "\(key.server) serves \(describe(key.proto, key.port, registry)) to \(counted(use.peers.count, "client")); not served in \(baselineName)",
                    brief: "to \(counted(use.peers.count, "client")); not served in \(baselineName)",
                    rule: rule, evidence: Evidence(use))
        } + before.filter { now[$0.key] == nil }.map { key, use in
            Finding(kind: .vanishedService, severity: .low, host: key.server, proto: key.proto, port: key.port,
                    reason: "\(key.server) served \(describe(key.proto, key.port, registry)) in \(baselineName); not seen since",
                    brief: "served in \(baselineName); not seen since",
                    rule: rule, evidence: Evidence(use))
        }
    }
}
