import PortScopeAnalysis

extension Reports {
    /// `exposure`: each socket the capturing host listened on, with who used it and how much,
    /// or `unused`; and each of its ports tried with nothing listening (`no_listener`).
    public static func exposure(_ exposure: Exposure) -> Report {
        let columns: [ReportColumn<ExposureLine>] = [
            ReportColumn("capture_id", .number, detail: true) { .int($0.capture) },
            ReportColumn("proto") { .text($0.proto.name) },
            ReportColumn("address") { .text($0.address.description) },
            ReportColumn("port", .number) { .int(Int64($0.port)) },
            ReportColumn("bound", absent: "-") { $0.bound.cell },
            ReportColumn("process", absent: "?", clip: .name) { $0.process.cell },
            ReportColumn("pid", .number) { $0.pid.map { .int(Int64($0)) } ?? .null },
            ReportColumn("user", detail: true) { $0.user.cell },
            ReportColumn("clients_local", .count, header: "LOCAL") { .int(Int64($0.clientsLocal.count)) },
            ReportColumn("clients_external", .count, header: "EXTERNAL") { .int(Int64($0.clientsExternal.count)) },
            ReportColumn("flows", .count) { .int($0.flows) },
            ReportColumn("bytes", .bytes) { .int($0.bytes) },
            ReportColumn("state") { .text($0.state.rawValue) },
        ]
        return Report(columns, exposure.lines)
    }
}
