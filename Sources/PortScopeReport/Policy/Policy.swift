import PortScopeDecode

/// Which services each host or network may serve and use. Read from a small text format, one
/// rule per line (README, "Policy files"):
///
///     # comment
///     WHO serve SERVICE… [from NETWORK…]
///     WHO use   SERVICE… [to NETWORK…]
///
/// WHO is an address, a network (`10.0.0.0/8`) or `*` (any host); SERVICE is `tcp/443`,
/// `udp/5000-5100` or `tcp/*`; `from` limits the clients a service may serve, `to` the servers
/// a use may reach. A service or use is allowed when any rule allows it.
public struct Policy: Sendable {
    public enum Verb: String, Sendable { case serve, use }

    /// `proto/low-high`.
    public struct Ports: Sendable, Equatable, CustomStringConvertible {
        public var proto: IPProtocol
        public var low: UInt16, high: UInt16
        public func contains(_ proto: IPProtocol, _ port: UInt16) -> Bool { proto == self.proto && (low...high).contains(port) }
        public var description: String {
            let range = low == 0 && high == .max ? "*" : low == high ? "\(low)" : "\(low)-\(high)"
            return "\(proto.name)/\(range)"
        }
    }

    public struct Rule: Sendable {
        /// Nil: any host.
        public var who: IPNetwork?
        public var verb: Verb
        public var services: [Ports]
        /// `from` (serve) or `to` (use); nil: any peer.
        public var peers: [IPNetwork]?
        /// Where the rule was read, for `--explain`: `policy.txt:4`.
        public var origin: String

        func matches(_ host: IPAddress, _ proto: IPProtocol, _ port: UInt16, peer: IPAddress?) -> Bool {
            guard (who?.contains(host) ?? true) && services.contains(where: { $0.contains(proto, port) }) else { return false }
            guard let peer, let peers else { return true }
            return peers.contains { $0.contains(peer) }
        }
    }

    public var rules: [Rule]
    /// The file the policy came from.
    public var file: String

    /// A line of a policy file that could not be read: `file:line: what is wrong`.
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var problem: String
        public var description: String { "\(file):\(line): \(problem)" }
    }

    public init(parsing text: String, file: String) throws(FormatError) {
        self.file = file
        rules = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if fields.isEmpty { continue }
            func fail(_ problem: String) -> FormatError { FormatError(file: file, line: number + 1, problem: problem) }
            guard fields.count >= 3 else { throw fail("expected 'WHO serve|use SERVICE…', got '\(fields.joined(separator: " "))'") }
            var who: IPNetwork?
            if fields[0] != "*" {
                guard let network = IPNetwork(fields[0]) else { throw fail("'\(fields[0])' is not an address, a network or *") }
                who = network
            }
            guard let verb = Verb(rawValue: fields[1]) else { throw fail("'\(fields[1])' is not serve or use") }
            let peerWord = verb == .serve ? "from" : "to"
            var services: [Ports] = []
            var peers: [IPNetwork]?
            var i = 2
            while i < fields.count, fields[i] != peerWord {
                guard let ports = Policy.ports(fields[i]) else {
                    if fields[i] == "from" || fields[i] == "to" { throw fail("'\(fields[i])' belongs to '\(fields[i] == "from" ? "serve" : "use")' rules") }
                    throw fail("'\(fields[i])' is not a service (tcp/443, udp/5000-5100, tcp/*)")
                }
                services.append(ports)
                i += 1
            }
            guard !services.isEmpty else { throw fail("no service before '\(peerWord)'") }
            if i < fields.count {
                let networks = fields[(i + 1)...].map { IPNetwork($0) }
                guard !networks.isEmpty else { throw fail("'\(peerWord)' needs at least one address or network") }
                if let bad = networks.firstIndex(where: { $0 == nil }) {
                    throw fail("'\(fields[i + 1 + bad])' is not an address or network")
                }
                peers = networks.compactMap { $0 }
            }
            rules.append(Rule(who: who, verb: verb, services: services, peers: peers, origin: "\(file):\(number + 1)"))
        }
    }

    private static func ports(_ text: String) -> Ports? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let proto = IPProtocol(name: String(parts[0])), proto.hasPorts else { return nil }
        if parts[1] == "*" { return Ports(proto: proto, low: 0, high: .max) }
        let bounds = parts[1].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let low = UInt16(bounds[0]), let high = UInt16(bounds[bounds.count - 1]), low <= high else { return nil }
        return Ports(proto: proto, low: low, high: high)
    }

    /// The first rule that lets `host` do `verb` with `proto`/`port` and `peer` (any peer when
    /// nil: `from`/`to` ignored), if any.
    public func rule(allowing verb: Verb, _ host: IPAddress, _ proto: IPProtocol, _ port: UInt16, peer: IPAddress?) -> Rule? {
        rules.first { $0.verb == verb && $0.matches(host, proto, port, peer: peer) }
    }
}
