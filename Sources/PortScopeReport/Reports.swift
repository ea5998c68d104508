import PortScopeDecode
import PortScopeFlows

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

/// Filters shared by the reports read straight from the database.
public struct ReportFilter: Sendable {
    /// Only this capture (by id); all captures when nil.
    public var capture: Int64?
    public var proto: IPProtocol?
    public var port: UInt16?
    /// A host, in any textual form; matched in its standard form.
    public var host: IPAddress?
    public init(capture: Int64? = nil, proto: IPProtocol? = nil, port: UInt16? = nil, host: IPAddress? = nil) {
        self.capture = capture
        self.proto = proto
        self.port = port
        self.host = host
    }

    /// The query parameters `:capture`, `:proto`, `:port` and `:host` (null: no filter).
    var parameters: [String: Report.Cell] {
        [":capture": capture.map { .int($0) } ?? .null, ":proto": proto.map { .text($0.name) } ?? .null,
         ":port": port.map { .int(Int64($0)) } ?? .null, ":host": host.map { .text($0.description) } ?? .null]
    }
}

/// How the services report is ordered.
public enum ServiceSort: String, Sendable, CaseIterable {
    case bytes, packets, flows
}

extension Optional where Wrapped == String {
    /// A text cell, or null.
    var cell: Report.Cell { map { .text($0) } ?? .null }
}
