import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// The host's own listeners judged (`Exposure`, `live` on Linux): one listening beyond loopback
/// the whole capture that nobody used is a port to close; one reached from outside the local
/// networks that the policy does not allow (any, without a policy) is exposed.
enum ExposureFindings {
    static func find(_ exposure: Exposure, policy: Policy?, registry: ServiceRegistry) -> [Finding] {
        exposure.lines.compactMap { line in
            guard let bound = line.bound else { return nil }
            let service = describe(line.proto, line.port, registry)
            let owner = line.process.map { process in "\(process)" + (line.pid.map { " (pid \($0)\(line.user.map { ", \($0)" } ?? ""))" } ?? "") }
                ?? "a process that could not be read"
            let on = bound == "all" ? "on every address" : "on \(line.address)"
            var totals = TrafficTotals()
            totals.figures = ServiceFigures(flows: line.flows, handshakes: 0, packetsC2S: line.packets, bytesC2S: line.bytes,
                                            packetsS2C: 0, bytesS2C: 0, first: .max, last: .min)
            if line.state == .unused && line.listenedThroughout && line.seenWhole && bound != "loopback" {
                return Finding(kind: .unusedListener, severity: .low, host: line.address, proto: line.proto, port: line.port,
                               reason: "\(owner) listens on \(service) \(on) the whole capture and nobody used it: a port to close",
                               brief: "\(owner) listens \(on); nobody used it: a port to close",
                               rule: "unused_listener: listening from the first reading of the socket tables to the last, bound "
                                   + "beyond loopback, and no established flow reached it in a capture that saw all the host's "
                                   + "traffic (live -i any, no filter)",
                               evidence: Evidence(totals, peers: 0))
            }
            // Judged at the addresses the clients reached (a socket on every address is reached at one of the host's).
            let outside = line.clientsExternal.filter { client in
                guard let policy else { return true }
                return !line.reachedAt.contains { policy.rule(allowing: .serve, $0, line.proto, line.port, peer: client) != nil }
            }
            guard !outside.isEmpty else { return nil }
            let host = line.reachedAt.count == 1 ? line.reachedAt.first! : line.address
            let clients = outside.count == 1 ? "1 external client" : "\(outside.count) external clients"
            return Finding(kind: .externalExposure, severity: policy == nil ? .medium : .high, host: host, proto: line.proto,
                           port: line.port,
                           reason: "\(owner) listening on \(service) \(on) was reached by \(clients) (\(outside.sorted().prefix(3).map(\.description).joined(separator: ", ")))"
                               + (policy == nil ? "" : " the policy does not allow"),
                           brief: "\(owner), reached by \(clients)" + (policy == nil ? "" : " the policy does not allow"),
                           rule: "external_exposure: a listening socket reached by established flows from outside the local networks "
                               + "(--local); with --policy, only clients no serve rule allows; high with a policy, medium without",
                           evidence: Evidence(totals, peers: outside.count))
        }
    }
}
