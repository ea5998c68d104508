import PortScopeDecode

/// A policy line that silences findings on purpose: `ignore KIND WHO [SERVICE…]`. KIND is a
/// finding kind (`uncommon_port`, `scan`, …) or `*`; WHO an address, a network or `*`; SERVICE
/// (`udp/50000-50100`, `tcp/*`) limits it to findings on those ports. Without a service it
/// silences every finding of that kind about the host, a scan included.
public struct Silence: Sendable {
    /// Nil: every kind.
    public var kind: FindingKind?
    /// Nil: any host.
    public var who: IPNetwork?
    /// Empty: any port, or none.
    public var services: [Policy.Ports]
    /// Where the line was read: `policy.txt:7`.
    public var origin: String

    /// Whether this line silences `finding`. A finding on no single port (a scan) is matched by
    /// a service only when it covers the protocol's every port (`tcp/*`).
    public func silences(_ finding: Finding) -> Bool {
        guard kind.map({ $0 == finding.kind }) ?? true, who?.contains(finding.host) ?? true else { return false }
        guard !services.isEmpty else { return true }
        guard let proto = finding.proto else { return false }
        return services.contains { ports in
            if let port = finding.port { return ports.contains(proto, port) }
            return ports.proto == proto && ports.low == 0 && ports.high == .max
        }
    }

    /// Reads the fields after `ignore`; a description of what is wrong otherwise.
    static func parse(_ fields: ArraySlice<String>, origin: String) -> Result<Silence, Policy.LineError> {
        guard let kindText = fields.first, fields.count >= 2 else {
            return .failure(.init("expected 'ignore KIND WHO [SERVICE…]', e.g. 'ignore uncommon_port 192.168.1.6 udp/50000-50100'"))
        }
        var kind: FindingKind?
        if kindText != "*" {
            guard let known = FindingKind(rawValue: kindText) else {
                return .failure(.init("'\(kindText)' is not a finding kind (\(FindingKind.allCases.map(\.rawValue).joined(separator: ", ")) or *)"))
            }
            kind = known
        }
        let whoText = fields[fields.startIndex + 1]
        var who: IPNetwork?
        if whoText != "*" {
            guard let network = IPNetwork(whoText) else { return .failure(.init("'\(whoText)' is not an address, a network or *")) }
            who = network
        }
        var services: [Policy.Ports] = []
        for text in fields.dropFirst(2) {
            guard let ports = Policy.Ports(text, app: false) else {
                return .failure(.init("'\(text)' is not a service (tcp/443, udp/5000-5100, tcp/*)"))
            }
            services.append(ports)
        }
        return .success(Silence(kind: kind, who: who, services: services, origin: origin))
    }
}
