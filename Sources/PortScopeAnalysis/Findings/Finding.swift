import PortScopeDecode
import PortScopeFlows

/// What a finding is about. The raw values are the stable `kind` key of `unexpected`.
public enum FindingKind: String, Sendable, CaseIterable {
    /// One source probed many ports or hosts without completing handshakes.
    case scan
    /// A service on a port outside `CommonServices`.
    case uncommonPort = "uncommon_port"
    /// A protocol on a port registered to another, or off its own registered ports.
    case protocolMismatch = "protocol_mismatch"
    /// A client chose a well-known service port as its source toward an unrelated port.
    case wellKnownSourcePort = "well_known_source_port"
    /// A local host served a service the policy file does not allow it.
    case policyServe = "policy_serve"
    /// A local host used a service the policy file does not allow it.
    case policyUse = "policy_use"
    /// A service absent from the baseline capture.
    case newService = "new_service"
    /// A service of the baseline capture not seen since.
    case vanishedService = "vanished_service"
    /// A socket listening beyond loopback the whole capture that nobody used (`live` on Linux).
    case unusedListener = "unused_listener"
    /// A listening socket reached from outside the local networks that the policy does not allow.
    case externalExposure = "external_exposure"
}

/// How much a finding deserves attention first.
public enum Severity: String, Sendable, CaseIterable, Comparable {
    case high, medium, low

    private var rank: Int { Severity.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank > b.rank }
}

/// What a finding rests on: the traffic of its flows and the hosts at the other end.
public struct Evidence: Sendable {
    public var totals: TrafficTotals
    /// Distinct hosts at the other end (clients of a service, targets of a scan, ...).
    public var peers: Int

    init(_ totals: TrafficTotals, peers: Int) {
        self.totals = totals
        self.peers = peers
    }

    init(_ traffic: PeerTraffic) {
        self.init(traffic.totals, peers: traffic.peers.count)
    }

    public var flows: Int64 { totals.flows }
    public var packets: Int64 { totals.packets }
    public var bytes: Int64 { totals.bytes }
    public var first: Int64 { totals.first }
    public var last: Int64 { totals.last }
    /// How the server side of its flows was decided; nil for findings judged by who opened
    /// the flows (scans, source ports).
    public var decisions: DecisionCounts? { totals.decisions.counts.isEmpty ? nil : totals.decisions }
}

/// One thing that runs where it should not, or looks as if it does.
public struct Finding: Sendable {
    public var kind: FindingKind
    public var severity: Severity
    /// The host the finding is about: the server, the scanning source, the client.
    public var host: IPAddress
    public var proto: IPProtocol?
    /// Nil when the finding spans many ports (a scan).
    public var port: UInt16?
    /// One line for people.
    public var reason: String
    /// The reason without the host, protocol and port a table's own columns show.
    public var brief: String
    /// A scan's finds: the ports that answered open and the ones that answered closed
    /// (`proto/port`); nil for other findings.
    public var openPorts: [String]? = nil
    public var closedPorts: [String]? = nil
    /// The policy line that silences it (`policy.txt:7`), when one does.
    public var silencedBy: String? = nil
    /// Which rule fired, with its thresholds (`--explain`).
    public var rule: String
    public var evidence: Evidence
}

/// `tcp/22 (ssh)`; when IANA names nothing, `tcp/51515` followed by `unnamed`, if given.
func describe(_ proto: IPProtocol, _ port: UInt16, _ registry: ServiceRegistry, unnamed: String = "") -> String {
    "\(proto.name)/\(port)" + (registry.name(proto, port).map { " (\($0))" } ?? unnamed)
}

/// "1 client", "3 clients".
func counted(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
