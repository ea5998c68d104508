import PortScopeSQLite
import PortScopeStore

extension Reports {
    /// What the database holds: one row per capture. `file` is the path of a file capture as
    /// given (`path` its absolute path), `interface` the interface of a live one, `set_name` the
    /// name of files read as one (`files` how many); `name` the capture's label; `filter` the
    /// capture filter it was read with; `compression` what the file was read through (a set's
    /// files may each have their own); libpcap's counters are null for files;
    /// `flow_rows` is 0 for a capture analyzed with `--no-flows`. A `running` capture whose
    /// writer is gone (killed before its last flush) shows as `interrupted`, with the figures of
    /// its last flush.
    static let captureColumns: [ReportColumn<QueryRow>] = [
        ReportColumn("id", .number, sql: "id"),
        ReportColumn("file", clip: .path, sql: "CASE WHEN kind = 'file' THEN source END"),
        ReportColumn("format", detail: true, sql: "format"),
        ReportColumn("link_types", detail: true, sql: "link_types"),
        ReportColumn("packets", .count, sql: "packets"),
        ReportColumn("bytes", .bytes, sql: "bytes"),
        ReportColumn("flows", .count, sql: "flows"),
        ReportColumn("status") { row in
            guard row["stored_status"] == .text("running"), case .text(let writer) = row["writer"],
                  CaptureWriter.isGone(writer) else { return row["stored_status"] }
            return .text("interrupted")
        },
        ReportColumn("first_seen", .time, sql: "first_ns"),
        ReportColumn("last_seen", .time, detail: true, sql: "last_ns"),
        ReportColumn("size", .bytes, detail: true, sql: "size"),
        ReportColumn("sha256", detail: true, sql: "sha256"),
        ReportColumn("interface", sql: "CASE WHEN kind = 'interface' THEN source END"),
        ReportColumn("received", .count, detail: true, sql: "received"),
        ReportColumn("dropped_kernel", .count, detail: true, sql: "dropped_kernel"),
        ReportColumn("dropped_interface", .count, detail: true, sql: "dropped_interface"),
        ReportColumn("flow_rows", .count, detail: true, sql: "flow_rows"),
        ReportColumn("name", detail: true, sql: "name"),
        ReportColumn("set_name", detail: true, sql: "CASE WHEN kind = 'set' THEN source END"),
        ReportColumn("files", .count, detail: true, sql: "CASE WHEN kind = 'set' THEN (SELECT COUNT(*) FROM capture_members WHERE capture_id = captures.id) END"),
        ReportColumn("path", detail: true, sql: "path"),
        ReportColumn("filter", detail: true, sql: "filter"),
        ReportColumn("compression", detail: true, sql: "compression"),
        // Why a capture is partial: the damage that stopped the reading, else a torn last record
        // (a file cut while being written), which the anomalies keep as a byte count.
        ReportColumn("damage", detail: true, sql: """
            COALESCE(damage, (SELECT 'torn last record: ' || a.packets || ' trailing bytes' FROM capture_anomalies a
                              WHERE a.capture_id = captures.id AND a.reason = 'file.torn_trailing_bytes'))
            """),
        // The stored anomalies split by CaptureNoteKind, as analyze prints them.
        ReportColumn("not_decoded", detail: true) { row in notes(row, .notDecoded) },
        ReportColumn("notes", detail: true) { row in notes(row, .note) },
        // The host that made it (version 13; null before), kept when databases merge.
        ReportColumn("sensor", detail: true, sql: "sensor"),
    ]

    private static func notes(_ row: QueryRow, _ kind: CaptureNoteKind) -> Report.Cell {
        guard case .text(let list) = row["anomalies"] else { return .null }
        let anomalies = list.split(separator: "\n").compactMap { line -> (reason: String, packets: UInt64)? in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let packets = UInt64(parts[1]) else { return nil }
            return (String(parts[0]), packets)
        }
        return kind.list(anomalies).map(Report.Cell.text) ?? .null
    }

    public static func captures(_ store: borrowing CaptureStore) throws(StoreError) -> Report {
        let select = ReportColumn.selectList(captureColumns, inputs: [
            ("stored_status", "status"), ("writer", "writer"),
            ("anomalies", "(SELECT group_concat(reason || ' ' || packets, char(10)) FROM (SELECT reason, packets FROM capture_anomalies a WHERE a.capture_id = captures.id ORDER BY reason))"),
        ])
        return Report(captureColumns, try store.query("SELECT \(select) FROM captures ORDER BY id"))
    }
}
