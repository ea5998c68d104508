import PortScopeDecode
import PortScopeStore

/// How many flows each rule of `ServiceDecision` decided, e.g. `tcp_syn 12, port_fan_in 3`.
public struct DecisionCounts: Sendable, Equatable, CustomStringConvertible {
    public private(set) var counts: [String: Int64] = [:]

    mutating func add(_ decision: String, _ flows: Int64) { counts[decision, default: 0] += flows }
    mutating func add(_ other: DecisionCounts) { for (decision, n) in other.counts { add(decision, n) } }

    /// The rules, most flows first.
    public var description: String {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

/// The application protocols of some flows (`flows.app_proto`), with their flow counts.
public struct AppMix: Sendable, Equatable {
    public private(set) var flows: [String: Int64] = [:]

    mutating func add(_ app: String, _ count: Int64) { flows[app, default: 0] += count }
    mutating func add(_ other: AppMix) { for (app, n) in other.flows { add(app, n) } }

    private var ranked: [(key: String, value: Int64)] {
        flows.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    }
    /// The protocol of most flows.
    public var main: String? { ranked.first?.key }
    /// `tls 20, unknown 2`: most flows first.
    public var description: String { ranked.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }

    /// The report cells `app_proto` and `app_mix` (null when no flow carried payload).
    var cells: (main: Report.Cell, mix: Report.Cell) {
        flows.isEmpty ? (.null, .null) : (.text(main!), .text(description))
    }
}

/// Sums over flows (`ServiceFigures`, read through as `totals.packetsC2S`…) and how their
/// server sides were decided.
@dynamicMemberLookup
public struct TrafficTotals: Sendable, Equatable {
    public var figures = ServiceFigures()
    public var decisions = DecisionCounts()
    public var apps = AppMix()

    public subscript<T>(dynamicMember path: WritableKeyPath<ServiceFigures, T>) -> T {
        get { figures[keyPath: path] }
        set { figures[keyPath: path] = newValue }
    }
    public subscript<T>(dynamicMember path: KeyPath<ServiceFigures, T>) -> T { figures[keyPath: path] }

    /// The SQL aggregates over `flows` rows that `init(_:from:)` reads back, over the rows
    /// `filter` keeps (every row when nil).
    static func sums(where filter: String? = nil) -> String {
        let only = filter.map { " FILTER (WHERE \($0))" } ?? ""
        return ["COUNT(*)", "SUM(handshake)", "SUM(packets_c2s)", "SUM(bytes_c2s)", "SUM(packets_s2c)", "SUM(bytes_s2c)",
                "MIN(first_ns)", "MAX(last_ns)"].map { $0 + only }.joined(separator: ", ")
    }

    mutating func add(_ other: TrafficTotals) {
        figures.add(other.figures)
        decisions.add(other.decisions)
        apps.add(other.apps)
    }
}

extension TrafficTotals {
    /// Totals from the columns of `sums` starting at `column`.
    init(_ row: [Statement.Value], from column: Int) {
        let c = column
        figures = ServiceFigures(flows: row[c].int, handshakes: row[c + 1].int, packetsC2S: row[c + 2].int,
                                 bytesC2S: row[c + 3].int, packetsS2C: row[c + 4].int, bytesS2C: row[c + 5].int,
                                 first: row[c + 6].int, last: row[c + 7].int)
    }
}

/// A service: an address, protocol and port that served.
public struct ServiceKey: Hashable, Sendable, Comparable {
    public var server: IPAddress
    public var proto: IPProtocol
    public var port: UInt16

    public static func < (a: Self, b: Self) -> Bool {
        (a.server, a.proto.rawValue, a.port) < (b.server, b.proto.rawValue, b.port)
    }
}

/// Established traffic (`FlowEvidence.established`) between one client and one service.
public struct ServicePair: Sendable {
    public var service: ServiceKey
    public var client: IPAddress
    public var totals: TrafficTotals
}

/// Traffic summed over peers: a service's clients, or the servers a client reached.
public struct PeerTraffic: Sendable {
    public var totals = TrafficTotals()
    public var peers: Set<IPAddress> = []
}

/// The established service traffic of some captures: what the host view, the policy and the
/// inventory comparisons are built from. Probes and unanswered attempts are left to the scan finding.
public struct ServiceTraffic: Sendable {
    public private(set) var pairs: [ServicePair]

    public init(_ store: borrowing CaptureStore, captures: CaptureSelection) throws {
        let rows = try store.rows("""
            SELECT proto, server_addr, server_port, client_addr, decided_by, \(TrafficTotals.sums()), app_proto
            FROM flows
            WHERE \(captures.condition()) AND proto IN ('tcp', 'udp', 'sctp') AND \(FlowEvidence.established)
            GROUP BY proto, server_addr, server_port, client_addr, decided_by, app_proto
            """)
        var index: [ServiceKeyWithClient: Int] = [:]
        var pairs: [ServicePair] = []
        for row in rows {
            guard let proto = IPProtocol(name: row[0].text), let server = IPAddress(row[1].text),
                  let client = IPAddress(row[3].text) else { continue }
            let service = ServiceKey(server: server, proto: proto, port: UInt16(clamping: row[2].int))
            var totals = TrafficTotals(row, from: 5)
            totals.decisions.add(row[4].text, totals.flows)
            if case .text(let app) = row[13] { totals.apps.add(app, totals.flows) }
            let key = ServiceKeyWithClient(service: service, client: client)
            if let i = index[key] {
                pairs[i].totals.add(totals)
            } else {
                index[key] = pairs.count
                pairs.append(ServicePair(service: service, client: client, totals: totals))
            }
        }
        self.pairs = pairs
    }

    private struct ServiceKeyWithClient: Hashable {
        var service: ServiceKey
        var client: IPAddress
    }

    /// Every service with its clients as peers, from the pairs `include` keeps.
    public func services(where include: (ServicePair) -> Bool = { _ in true }) -> [ServiceKey: PeerTraffic] {
        grouped(where: include) { ($0.service, $0.client) }
    }

    /// Every client and service port it used, with the servers it reached as peers, from the
    /// pairs `include` keeps. The key's `server` is the client: the host that does the using.
    public func uses(where include: (ServicePair) -> Bool = { _ in true }) -> [ServiceKey: PeerTraffic] {
        grouped(where: include) { (ServiceKey(server: $0.client, proto: $0.service.proto, port: $0.service.port), $0.service.server) }
    }

    private func grouped(where include: (ServicePair) -> Bool,
                         by keyAndPeer: (ServicePair) -> (ServiceKey, IPAddress)) -> [ServiceKey: PeerTraffic] {
        var groups: [ServiceKey: PeerTraffic] = [:]
        for pair in pairs where include(pair) {
            let (key, peer) = keyAndPeer(pair)
            groups[key, default: PeerTraffic()].totals.add(pair.totals)
            groups[key]!.peers.insert(peer)
        }
        return groups
    }
}
