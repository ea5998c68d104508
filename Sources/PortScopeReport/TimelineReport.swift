import PortScopeAnalysis
import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// Traffic over time per service port, from the stored time buckets (`TimeBuckets`): one line
/// per bucket and port, summed over the servers and captures selected.
public struct Timeline: Sendable {
    /// One bucket of one port.
    public struct Line: Sendable {
        public var start: Int64
        public var proto: IPProtocol
        public var port: UInt16
        public var packets: Int64
        public var bytes: Int64
        public var flows: Int64
    }

    /// The width of the lines' buckets, in nanoseconds.
    public let width: Int64
    /// By bucket, then protocol and port.
    public let lines: [Line]
    /// Captures selected that have no time buckets (stored before schema version 11).
    public let capturesWithoutBuckets: [Int64]

    /// The timeline of the buckets `filter` selects (capture, protocol, service port, server
    /// host; a bucket counts when it overlaps the window). `width`: the buckets' width, at
    /// least the widest stored (nil: the widest stored, grown through `TimeBuckets`' automatic
    /// widths until the range has at most `TimeBuckets.maximumBuckets`).
    public init(_ store: borrowing CaptureStore, filter: ReportFilter, width requested: Int64?) throws(StoreError) {
        let addresses = filter.hosts.allSatisfy(\.isSingleAddress) && !filter.hosts.isEmpty
        let rows = try store.query("""
            SELECT b.proto AS proto, b.server_port AS port, b.server_addr AS server, b.start_ns AS start_ns,
                   c.bucket_ns AS bucket_ns, b.packets AS packets, b.bytes AS bytes, b.flows AS flows
            FROM time_buckets b JOIN captures c ON c.id = b.capture_id
            WHERE (:captures IS NULL OR b.capture_id IN (SELECT value FROM json_each(:captures)))
              AND (:protos IS NULL OR b.proto IN (SELECT value FROM json_each(:protos)))
              AND (:ports IS NULL OR b.server_port IN (SELECT value FROM json_each(:ports)))
              AND (:hosts IS NULL OR b.server_addr IN (SELECT value FROM json_each(:hosts)))
              AND (:since IS NULL OR b.start_ns + c.bucket_ns > :since) AND (:until IS NULL OR b.start_ns < :until)
            """, filter.window.parameters.merging([
                ":captures": filter.captures.map { .jsonArray($0) } ?? .null,
                ":protos": filter.protos.isEmpty ? .null : .jsonArray(filter.protos.map(\.name)),
                ":ports": filter.ports.isEmpty ? .null : .jsonArray(filter.ports.map { Int64($0) }),
                ":hosts": addresses ? .jsonArray(filter.hosts.map(\.address.description)) : .null,
            ]) { $1 })
            .filter { row in
                addresses || filter.hosts.isEmpty
                    || IPAddress(row["server"].text).map { server in filter.hosts.contains { $0.contains(server) } } ?? false
            }
        capturesWithoutBuckets = try store.query("""
            SELECT id FROM captures WHERE bucket_ns IS NULL
              AND (:captures IS NULL OR id IN (SELECT value FROM json_each(:captures))) ORDER BY id
            """, [":captures": filter.captures.map { .jsonArray($0) } ?? .null]).map { $0["id"].int }
        let stored = rows.map { $0["bucket_ns"].int }.max() ?? TimeBuckets.automaticWidths[0]
        var width = max(requested ?? stored, stored)
        // Buckets of different widths (captures analyzed apart) line up on the widest, a multiple of the others.
        if requested == nil, let first = rows.map({ $0["start_ns"].int }).min(), let last = rows.map({ $0["start_ns"].int }).max() {
            while (last - first) / width >= TimeBuckets.maximumBuckets,
                  let next = TimeBuckets.automaticWidths.first(where: { $0 > width }) { width = next }
        }
        struct Key: Hashable { var start: Int64; var proto: IPProtocol; var port: UInt16 }
        var sums: [Key: Line] = [:]
        for row in rows {
            guard let proto = IPProtocol(name: row["proto"].text) else { continue }
            let start = Self.floor(row["start_ns"].int, width), port = UInt16(clamping: row["port"].int)
            let key = Key(start: start, proto: proto, port: port)
            var line = sums[key] ?? Line(start: start, proto: proto, port: port, packets: 0, bytes: 0, flows: 0)
            line.packets += row["packets"].int
            line.bytes += row["bytes"].int
            line.flows += row["flows"].int
            sums[key] = line
        }
        self.width = width
        lines = sums.values.sorted { a, b in
            (a.start, a.proto.rawValue, a.port) < (b.start, b.proto.rawValue, b.port)
        }
    }

    /// The start of the bucket of `width` that holds `time`.
    static func floor(_ time: Int64, _ width: Int64) -> Int64 {
        let remainder = time % width
        return remainder < 0 ? time - remainder - width : time - remainder
    }
}

extension Reports {
    /// `timeline` as rows, one per bucket and port: what JSON and CSV print.
    public static func timelineBuckets(_ timeline: Timeline) -> Report {
        let width = timeline.width
        let columns: [ReportColumn<Timeline.Line>] = [
            ReportColumn("bucket_start", .time) { .int($0.start) },
            ReportColumn("bucket_end", .time) { .int($0.start + width) },
            ReportColumn("proto") { .text($0.proto.name) },
            ReportColumn("port", .number) { .int(Int64($0.port)) },
            ReportColumn("packets", .count) { .int($0.packets) },
            ReportColumn("bytes", .bytes) { .int($0.bytes) },
            ReportColumn("flows", .count) { .int($0.flows) },
        ]
        return Report(columns, timeline.lines)
    }

    /// Characters of a sparkline at most; longer ranges put several buckets in a character.
    static let sparklineWidth = 60

    /// `timeline` as a table's rows: per port, busiest first, its totals and a sparkline of its
    /// bytes over the whole range (one character per bucket, or per `bucketsPerCharacter`).
    public static func timelineSparklines(_ timeline: Timeline, registry: ServiceRegistry)
        -> (report: Report, range: (start: Int64, end: Int64)?, bucketsPerCharacter: Int64) {
        guard let first = timeline.lines.first?.start, let last = timeline.lines.map(\.start).max() else {
            return (Report([ReportColumn<Timeline.Line>](), []), nil, 1)
        }
        let width = timeline.width, buckets = (last - first) / width + 1
        let perCharacter = (buckets + Int64(sparklineWidth) - 1) / Int64(sparklineWidth)
        let characters = Int((buckets + perCharacter - 1) / perCharacter)
        struct Port { var proto: IPProtocol; var port: UInt16; var packets: Int64 = 0; var bytes: Int64 = 0; var flows: Int64 = 0; var cells: [Int64] }
        var ports: [String: Port] = [:]
        for line in timeline.lines {
            let key = "\(line.proto.name)/\(line.port)"
            var port = ports[key] ?? Port(proto: line.proto, port: line.port, cells: Array(repeating: 0, count: characters))
            port.packets += line.packets
            port.bytes += line.bytes
            port.flows += line.flows
            port.cells[Int((line.start - first) / width / perCharacter)] += line.bytes
            ports[key] = port
        }
        let sorted = ports.values.sorted { ($0.bytes, $1.proto.rawValue, $1.port) > ($1.bytes, $0.proto.rawValue, $0.port) }
        let columns: [ReportColumn<Port>] = [
            ReportColumn("proto") { .text($0.proto.name) },
            ReportColumn("port", .number) { .int(Int64($0.port)) },
            ReportColumn("service", absent: "unassigned") { serviceName(registry, $0.proto, $0.port) },
            ReportColumn("packets", .count) { .int($0.packets) },
            ReportColumn("bytes", .bytes) { .int($0.bytes) },
            ReportColumn("flows", .count) { .int($0.flows) },
            ReportColumn("traffic") { .text(sparkline($0.cells)) },
        ]
        return (Report(columns, sorted), (first, last + width), perCharacter)
    }

    /// One character per value, its height relative to the largest: blank for none, then ▁ to █.
    static func sparkline(_ values: [Int64]) -> String {
        let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let peak = values.max() ?? 0
        return String(values.map { value in
            guard value > 0, peak > 0 else { return " " }
            return levels[min(levels.count - 1, Int((Double(value) / Double(peak)) * Double(levels.count - 1) + 0.5))]
        })
    }
}
