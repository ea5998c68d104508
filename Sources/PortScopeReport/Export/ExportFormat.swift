import PortScopeAnalysis
import PortScopeStore

/// What `portscope export` writes.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// Zeek's conn.log, tab-separated with its `#` header lines (what RITA, Zui and zat read).
    case zeek
    /// Zeek's conn.log as Zeek's JSON logs write it: one object per line.
    case zeekJSON = "zeek-json"
    /// Elastic Common Schema documents, one per line (NDJSON).
    case ecs
}

/// Exports stored flows in the formats other tools read.
public enum FlowExport {
    /// Writes the flows `filter` selects, oldest first, to `sink` in `format`: row by row, never
    /// the whole export in memory. `local` decides Zeek's `local_orig`/`local_resp` and ECS's
    /// `network.direction`. Returns how many flows it wrote.
    @discardableResult
    public static func write(_ store: borrowing CaptureStore, filter: ReportFilter, format: ExportFormat,
                             local: LocalNetworks, to sink: inout ExportSink) throws(StoreError) -> Int {
        var count = 0
        if format == .zeek { sink.write(ZeekConnLog.header(opened: sink.openedAt)) }
        var write: (ExportedFlow, inout ExportSink) -> Void
        switch format {
        case .zeek: write = { flow, sink in sink.write(ZeekConnLog.tsvLine(flow)) }
        case .zeekJSON: write = { flow, sink in sink.write(ZeekConnLog.jsonLine(flow)) }
        case .ecs: write = { flow, sink in sink.write(ECSDocument.line(flow)) }
        }
        let (condition, parameters) = filter.condition(alias: "f")
        try store.forEachRow("""
            SELECT \(ExportedFlow.selectList)
            FROM flows f
            WHERE \(condition)
            ORDER BY f.first_ns, f.id
            """, parameters) { row in
            guard filter.admits(client: row["client_addr"].text, server: row["server_addr"].text) else { return }
            write(ExportedFlow(row: row, local: local), &sink)
            count += 1
        }
        if format == .zeek { sink.write(ZeekConnLog.footer(closed: sink.openedAt)) }
        return count
    }
}
