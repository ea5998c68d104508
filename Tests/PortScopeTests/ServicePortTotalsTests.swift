import Testing
import PortScopeIngest
import PortScopeReport
import PortScopeStore

/// `analyze`'s summary comes from the figures its flush summed in memory, not from a query over
/// what it stored: the two must be the same report, row for row and column for column.
@Suite struct ServicePortTotalsTests {
    static let columns = ["proto", "port", "service", "class", "app_proto", "detector", "packets", "bytes", "flows", "clients",
                          "servers", "packets_c2s", "packets_s2c", "bytes_c2s", "bytes_s2c", "first_seen", "last_seen", "app_mix"]

    @Test(arguments: ["office-monday.pcap", "office-tuesday.pcap", "http.pcap", "dns.pcap", "tls.pcap", "vlan.pcap",
                      "two-interfaces.pcapng"])
    func summaryIsTheServicesReport(_ name: String) throws {
        for flowRows in [true, false] {
            let dir = TemporaryDirectory()
            let result = try analyze(sample(name), in: dir, options: AnalysisOptions(flowRows: flowRows))
            let totals = try #require(result.portTotals), id = try #require(result.captureID)
            let store = try CaptureStore(path: dir.file("test.db"))
            for sort in ServiceSort.allCases {
                let queried = try Reports.services(store, filter: ReportFilter(capture: id), sort: sort, registry: .iana)
                let summed = Reports.services(totals, sort: sort, registry: .iana)
                #expect(!queried.rows.isEmpty)
                #expect(summed.selecting(Self.columns).rows == queried.selecting(Self.columns).rows, "\(name) \(sort) rows: \(flowRows)")
            }
        }
    }

    /// A capture written in more than one flush (evictions under `--max-flows`) has no totals:
    /// its summary is read back from the database.
    @Test func evictionsLeaveTheSummaryToTheQuery() throws {
        let dir = TemporaryDirectory()
        var options = AnalysisOptions()
        options.pipeline.maxFlows = 20
        let result = try analyze(sample("office-tuesday.pcap"), in: dir, options: options)
        #expect(result.captureID != nil && result.portTotals == nil)
        #expect(try analyze(sample("office-monday.pcap"), in: dir).portTotals != nil)
    }
}
