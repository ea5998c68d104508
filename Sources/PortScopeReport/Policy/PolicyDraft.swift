import PortScopeDecode

extension Policy {
    /// A policy that allows exactly what the local hosts of `traffic` served and used, one
    /// `serve` and one `use` line per host (long lines wrapped), for the user to edit.
    public static func draft(from traffic: ServiceTraffic, local: LocalNetworks, captures: String) -> String {
        var serves: [IPAddress: Set<ServiceKey>] = [:], uses: [IPAddress: Set<ServiceKey>] = [:]
        for pair in traffic.pairs {
            let port = ServiceKey(server: .zero, proto: pair.service.proto, port: pair.service.port)
            if local.contains(pair.service.server) { serves[pair.service.server, default: []].insert(port) }
            if local.contains(pair.client) { uses[pair.client, default: []].insert(port) }
        }
        var text = """
            # PortScope policy, drafted by 'portscope policy init' from \(captures).
            # Each line: WHO serve|use SERVICE... [from|to NETWORK...]; WHO is an address, a network or *.
            # Edit it to say what should be allowed, then: portscope unexpected --policy FILE
            # Local networks: \(local)


            """
        for host in Set(serves.keys).union(uses.keys).sorted() {
            for (verb, ports) in [("serve", serves[host]), ("use", uses[host])] {
                guard let ports else { continue }
                let sorted = ports.sorted().map { "\($0.proto.name)/\($0.port)" }
                for start in stride(from: 0, to: sorted.count, by: 10) {
                    text += "\(host) \(verb) " + sorted[start..<min(start + 10, sorted.count)].joined(separator: " ") + "\n"
                }
            }
        }
        return text
    }
}
