import PortScopeDecode
import PortScopeFlows

/// Everything local hosts serve or use that the policy does not allow: one finding per service
/// (serve) and per client and service port (use), over the established traffic only.
enum PolicyFindings {
    static func find(_ policy: Policy, traffic: ServiceTraffic, local: LocalNetworks,
                     registry: ServiceRegistry) -> [Finding] {
        let served = traffic.services { pair in
            local.contains(pair.service.server)
                && policy.rule(allowing: .serve, pair.service.server, pair.service.proto, pair.service.port, peer: pair.client) == nil
        }
        // Uses are grouped by client and service port: the servers reached are its peers.
        var used: [ServiceKey: PeerTraffic] = [:]
        for pair in traffic.pairs where local.contains(pair.client)
            && policy.rule(allowing: .use, pair.client, pair.service.proto, pair.service.port, peer: pair.service.server) == nil {
            let key = ServiceKey(server: pair.client, proto: pair.service.proto, port: pair.service.port)
            used[key, default: PeerTraffic()].totals.add(pair.totals)
            used[key]!.peers.insert(pair.service.server)
        }
        let rule = "policy: \(policy.file) has no rule allowing it (WHO matches the host, SERVICE the port, "
            + "from/to the peer); only local hosts are judged"
        return served.map { key, use in
            let someAllowed = policy.rules.contains { $0.verb == .serve && ($0.who?.contains(key.server) ?? true)
                && $0.services.contains { $0.contains(key.proto, key.port) } }
            return Finding(kind: .policyServe, severity: .high, host: key.server, proto: key.proto, port: key.port,
                           reason: "\(key.server) serves \(describe(key.proto, key.port, registry)) to \(counted(use.peers.count, "client")) "
                               + (someAllowed ? "outside the clients the policy allows" : "and the policy does not allow it"),
                           rule: rule, evidence: Evidence(use.totals, peers: use.peers.count))
        } + used.map { key, use in
            return Finding(kind: .policyUse, severity: .medium, host: key.server, proto: key.proto, port: key.port,
                           reason: "\(key.server) uses \(describe(key.proto, key.port, registry)) on \(counted(use.peers.count, "server")), "
                               + "which the policy does not allow it",
                           rule: rule, evidence: Evidence(use.totals, peers: use.peers.count))
        }
    }
}
