import PortScopeCapture

extension Reports {
    /// The interfaces libpcap can capture on, numbered as `tcpdump -D` does.
    public static func interfaces(_ interfaces: [CaptureInterface]) -> Report {
        let columns: [ReportColumn<(index: Int, interface: CaptureInterface)>] = [
            ReportColumn("index", .number) { .int(Int64($0.index)) },
            ReportColumn("name") { .text($0.interface.name) },
            ReportColumn("flags") { .text($0.interface.flags.joined(separator: ",")) },
            ReportColumn("addresses") { .text($0.interface.addresses.map(\.description).joined(separator: " ")) },
            ReportColumn("description") { $0.interface.description.cell },
        ]
        return Report(columns, interfaces.enumerated().map { ($0 + 1, $1) })
    }
}
