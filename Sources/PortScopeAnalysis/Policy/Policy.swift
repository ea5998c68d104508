import PortScopeDecode

/// Which services each host or network may serve and use. Read from a small text format, one
/// rule per line (README, "Policy files"):
///
///     # comment
///     WHO serve SERVICE… [from NETWORK…]
///     WHO use   SERVICE… [to NETWORK…]
///
/// WHO is an address, a network (`10.0.0.0/8`) or `*` (any host); SERVICE is `tcp/443`,
/// `udp/5000-5100` or `tcp/*`, optionally after a protocol and `@` (`ssh@tcp/443`): serving it
/// is allowed, and so is that protocol on it (no `protocol_mismatch`). `from` limits the
/// clients a service may serve, `to` the servers a use may reach. A service or use is allowed
/// when any rule allows it. `ignore KIND WHO [SERVICE…]` silences findings on purpose (`Silence`).
public struct Policy: Sendable {
    public enum Verb: String, Sendable { case serve, use }

    /// `proto/low-high`, or `app@proto/low-high`: the ports, and the application protocol
    /// allowed on them (`*` for any).
    public struct Ports: Sendable, Equatable, CustomStringConvertible {
        public var proto: IPProtocol
        public var low: UInt16, high: UInt16
        /// The application protocol named before `@` (`ssh`, `unknown` for unrecognised payload,
        /// `*` for any); nil when none was.
        public var app: String?
        public func contains(_ proto: IPProtocol, _ port: UInt16) -> Bool { proto == self.proto && (low...high).contains(port) }
        /// Whether this allows application protocol `app` (a stored name) on `proto`/`port`.
        public func allows(_ app: String, _ proto: IPProtocol, _ port: UInt16) -> Bool {
            guard let allowed = self.app else { return false }
            return (allowed == "*" || allowed == app) && contains(proto, port)
        }
        public var description: String {
            let range = low == 0 && high == .max ? "*" : low == high ? "\(low)" : "\(low)-\(high)"
            return (app.map { "\($0)@" } ?? "") + "\(proto.name)/\(range)"
        }

        public init(proto: IPProtocol, low: UInt16, high: UInt16) {
            (self.proto, self.low, self.high) = (proto, low, high)
        }

        /// Reads `tcp/443`, `udp/5000-5100`, `tcp/*`, and with `app@` before them when `app` is
        /// allowed: a protocol PortScope detects, `unknown` or `*`.
        public init?(_ text: String, app allowsApp: Bool) {
            var text = Substring(text)
            if allowsApp, let at = text.firstIndex(of: "@") {
                let name = String(text[..<at])
                guard name == "*" || name == "unknown" || AppProtocol(name: name).map({ $0 != .none }) == true else { return nil }
                app = name
                text = text[text.index(after: at)...]
            }
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let proto = IPProtocol(name: String(parts[0])), proto.hasPorts else { return nil }
            self.proto = proto
            if parts[1] == "*" {
                (low, high) = (0, .max)
                return
            }
            let bounds = parts[1].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                  let low = UInt16(bounds[0]), let high = UInt16(bounds[bounds.count - 1]), low <= high else { return nil }
            (self.low, self.high) = (low, high)
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
    /// The `ignore` lines: findings silenced on purpose.
    public var silences: [Silence] = []
    /// The file the policy came from.
    public var file: String

    /// What is wrong with a line, before the file and line are known.
    struct LineError: Error {
        var problem: String
        init(_ problem: String) { self.problem = problem }
    }

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
            if fields[0] == "ignore" {
                switch Silence.parse(fields.dropFirst(), origin: "\(file):\(number + 1)") {
                case .success(let silence): silences.append(silence)
                case .failure(let error): throw fail(error.problem)
                }
                continue
            }
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
                guard let ports = Ports(fields[i], app: verb == .serve) else {
                    if fields[i] == "from" || fields[i] == "to" { throw fail("'\(fields[i])' belongs to '\(fields[i] == "from" ? "serve" : "use")' rules") }
                    throw fail("'\(fields[i])' is not a service (tcp/443, udp/5000-5100, tcp/*"
                               + (verb == .serve ? ", or ssh@tcp/443 to allow a protocol on it)" : ")"))
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

    /// The first `ignore` line that silences `finding`, if any.
    public func silence(of finding: Finding) -> Silence? {
        silences.first { $0.silences(finding) }
    }

    /// The first rule that lets `host` do `verb` with `proto`/`port` and `peer` (any peer when
    /// nil: `from`/`to` ignored), if any.
    public func rule(allowing verb: Verb, _ host: IPAddress, _ proto: IPProtocol, _ port: UInt16, peer: IPAddress?) -> Rule? {
        rules.first { $0.verb == verb && $0.matches(host, proto, port, peer: peer) }
    }

    /// The first serve rule that lets `host` run application protocol `app` on `proto`/`port`.
    public func rule(allowingApp app: String, on host: IPAddress, _ proto: IPProtocol, _ port: UInt16) -> Rule? {
        rules.first { rule in
            rule.verb == .serve && (rule.who?.contains(host) ?? true) && rule.services.contains { $0.allows(app, proto, port) }
        }
    }
}
