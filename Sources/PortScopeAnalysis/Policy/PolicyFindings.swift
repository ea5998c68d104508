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
        let used = traffic.uses { pair in
            local.contains(pair.client)
                && policy.rule(allowing: .use, pair.client, pair.service.proto, pair.service.port, peer: pair.service.server) == nil
        }
        let rule = "policy: \(policy.file) has no rule allowing it (WHO matches the host, SERVICE the port, "
            + "from/to the peer); only local hosts are judged"
        return served.map { key, use in
            let someAllowed = policy.rule(allowing: .serve, key.server, key.proto, key.port, peer: nil) != nil
            return Finding(kind: .policyServe, severity: .high, host: key.server, proto: key.proto, port: key.port,
                           reason: "\(key.server) serves \(describe(key.proto, key.port, registry)) to \(counted(use.peers.count, "client")) "
                               + (someAllowed ? "outside the clients the policy allows" : "and the policy does not allow it"),
                           brief: "to \(counted(use.peers.count, "client")) "
                               + (someAllowed ? "outside the clients the policy allows" : "and the policy does not allow it"),
                           rule: rule, evidence: Evidence(use))
        } + used.map { key, use in
            Finding(kind: .policyUse, severity: .medium, host: key.server, proto: key.proto, port: key.port,
                           reason: "\(key.server) uses \(describe(key.proto, key.port, registry)) on \(counted(use.peers.count, "server")), "
                               + "which the policy does not allow it",
                           brief: "on \(counted(use.peers.count, "server")), which the policy does not allow it",
                           rule: rule, evidence: Evidence(use))
        }
    }
}
