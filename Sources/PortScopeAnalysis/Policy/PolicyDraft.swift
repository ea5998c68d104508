import PortScopeDecode

extension Policy {
    /// A policy that allows exactly what the local hosts of `traffic` served and used, one
    /// `serve` and one `use` line per host (long lines wrapped), for the user to edit.
    public static func draft(from traffic: ServiceTraffic, local: LocalNetworks, captures: String) -> String {
        var lines: [IPAddress: [Verb: [Ports]]] = [:]
        for (verb, keys) in [(Verb.serve, traffic.services { local.contains($0.service.server) }.keys),
                             (Verb.use, traffic.uses { local.contains($0.client) }.keys)] {
            for key in keys { lines[key.server, default: [:]][verb, default: []].append(Ports(proto: key.proto, low: key.port, high: key.port)) }
        }
        var text = """
            # PortScope policy, drafted by 'portscope policy init' from \(captures).
            # Each line: WHO serve|use SERVICE... [from|to NETWORK...]; WHO is an address, a network or *.
            # Edit it to say what should be allowed, then: portscope unexpected --policy FILE
            # Local networks: \(local)


            """
        for host in lines.keys.sorted() {
            for verb in [Verb.serve, .use] {
                let ports = (lines[host]?[verb] ?? []).sorted { ($0.proto.rawValue, $0.low) < ($1.proto.rawValue, $1.low) }
                for start in stride(from: 0, to: ports.count, by: 10) {
                    text += "\(host) \(verb.rawValue) " + ports[start..<min(start + 10, ports.count)].map(\.description).joined(separator: " ") + "\n"
                }
            }
        }
        return text
    }
}
