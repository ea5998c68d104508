import PortScopeAnalysis
import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// The reports `portscope` prints: one file each (`CapturesReport.swift`, …), each with its
/// column list, which makes its query's select list (where it is read from one query) and its
/// table, JSON and CSV.
public enum Reports {
    /// IANA's name for a port (or the user's, with --services); null when there is none.
    static func serviceName(_ registry: ServiceRegistry, _ proto: IPProtocol, _ port: UInt16) -> Report.Cell {
        registry.name(proto, port).map { .text($0) } ?? .null
    }

    /// The detectors that check a port for the protocols registered to it (`ssh`, `http/http2`),
    /// `none` when IANA (or --services) registers the port to a service PortScope has no
    /// detector for — there `unknown` only says no other protocol was recognised — and null on a
    /// port nobody registered.
    static func detectors(_ registry: ServiceRegistry, _ proto: IPProtocol, _ port: UInt16) -> Report.Cell {
        let expected = AppProtocol.expected(on: port, proto)
        if !expected.isEmpty { return .text(expected.map(\.name).joined(separator: "/")) }
        return registry.name(proto, port) == nil ? .null : .text("none")
    }
}

/// Filters shared by the reports read straight from the database. Each list means any of its
/// values; an empty list (nil for captures) does not filter.
public struct ReportFilter: Sendable {
    /// Only these captures (by id); all captures when nil.
    public var captures: [Int64]?
    public var protos: [IPProtocol]
    /// Flows with one of these ports on either side (the service port, in reports per service).
    public var ports: [UInt16]
    /// Flows whose server uses one of these ports.
    public var serverPorts: [UInt16]
    /// Flows with an end in one of these networks (an address is a network of one).
    public var hosts: [IPNetwork]
    /// Flows active in this window; in reports per service, the traffic of those flows.
    public var window: TimeWindow

    public init(captures: [Int64]? = nil, protos: [IPProtocol] = [], ports: [UInt16] = [], serverPorts: [UInt16] = [],
                hosts: [IPNetwork] = [], window: TimeWindow = .always) {
        self.captures = captures
        self.window = window
        self.protos = protos
        self.ports = ports
        self.serverPorts = serverPorts
        self.hosts = hosts
    }

    /// One capture.
    public init(capture: Int64) { self.init(captures: [capture]) }

    /// Whether the hosts are all single addresses, which SQL matches (networks are matched by
    /// `admits`).
    private var hostsAreAddresses: Bool { hosts.allSatisfy(\.isSingleAddress) }

    /// The SQL condition over a flow-shaped table (`alias.` before each column, "" for none):
    /// capture, protocol, ports (`eitherSide`: client or server port; else the server's), the
    /// time window and, where `hostColumns`, the hosts that are single addresses. With its parameters.
    func condition(alias: String = "", eitherSide: Bool = true, hostColumns: Bool = true)
        -> (sql: String, parameters: [String: Report.Cell]) {
        let t = alias.isEmpty ? "" : alias + "."
        func list(_ name: String) -> String { "(SELECT value FROM json_each(\(name)))" }
        var sql = """
            (:captures IS NULL OR \(t)capture_id IN \(list(":captures"))) \
            AND (:protos IS NULL OR \(t)proto IN \(list(":protos"))) \
            AND (:ports IS NULL OR \(t)server_port IN \(list(":ports"))\(eitherSide ? " OR \(t)client_port IN \(list(":ports"))" : "")) \
            AND (:server_ports IS NULL OR \(t)server_port IN \(list(":server_ports"))) \
            AND \(TimeWindow.flowCondition(alias: alias))
            """
        var parameters: [String: Report.Cell] = [
            ":captures": captures.map { .jsonArray($0) } ?? .null,
            ":protos": protos.isEmpty ? .null : .jsonArray(protos.map(\.name)),
            ":ports": ports.isEmpty ? .null : .jsonArray(ports.map { Int64($0) }),
            ":server_ports": serverPorts.isEmpty ? .null : .jsonArray(serverPorts.map { Int64($0) }),
        ].merging(window.parameters) { $1 }
        if hostColumns {
            sql += " AND (:hosts IS NULL OR \(t)server_addr IN \(list(":hosts")) OR \(t)client_addr IN \(list(":hosts")))"
            parameters[":hosts"] = hosts.isEmpty || !hostsAreAddresses ? .null : .jsonArray(hosts.map(\.address.description))
        }
        return (sql, parameters)
    }

    /// Whether a flow between `client` and `server` passes the host filter: what SQL could not
    /// check (networks) is checked here.
    public func admits(client: String, server: String) -> Bool {
        guard !hosts.isEmpty, !hostsAreAddresses else { return true }
        return [client, server].contains { text in IPAddress(text).map { address in hosts.contains { $0.contains(address) } } ?? false }
    }
}

/// How the flows report is ordered: largest first, or by first packet.
public enum FlowSort: String, Sendable, CaseIterable {
    case bytes, time
}

/// How the services report is ordered.
public enum ServiceSort: String, Sendable, CaseIterable {
    case bytes, packets, flows
}

extension Optional where Wrapped == String {
    /// A text cell, or null.
    var cell: Report.Cell { map { .text($0) } ?? .null }
}
