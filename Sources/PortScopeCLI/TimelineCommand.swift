import ArgumentParser
import PortScopeAnalysis
import PortScopeReport

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Traffic over time per service port: packets, bytes and flows per time bucket.",
        discussion: """
            A table shows each port's totals and a sparkline of its bytes over the range; JSON and CSV give one row \
            per bucket and port (bucket_start, bucket_end, proto, port, packets, bytes, flows). Packets and bytes \
            count in the bucket they were seen in, a flow in the bucket of its first packet.

            Examples:
              portscope timeline                          every port over the whole range
              portscope timeline --port 443,8443          when did 8443 start, next to 443
              portscope timeline --host 192.168.1.5       what this host served, over time
              portscope timeline --bucket 1h --since 1d --format csv
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var servicesFile: ServicesFileOption
    @OptionGroup var captureReference: CaptureReferenceOption
    @OptionGroup var timeWindow: TimeWindowOption

    @OptionGroup var services: ServiceFilterOptions

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("Only the services these servers serve: addresses or networks (CIDR; repeat or comma list: any).",
                               valueName: "addr|cidr"))
    var host: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Bucket width: 1m, 5m, 1h, 1d, … (default: the stored width, wider if the range would need more than 300 buckets).",
        valueName: "span"))
    var bucket: TimeSpan?

    func validate() throws {
        _ = try ListOption.networks(host, "--host")
    }

    func run() throws {
        let registry = try servicesFile.registry()
        try database.printReport { store in
            let captures = try timeWindow.applied(to: try captureReference.selection(in: store), in: store)
            var filter = try services.filter(captures: captures.ids, window: captures.window)
            filter.hosts = try ListOption.networks(host, "--host")
            let timeline = try Timeline(store, filter: filter, width: bucket?.nanoseconds)
            if !timeline.capturesWithoutBuckets.isEmpty {
                let ids = timeline.capturesWithoutBuckets.map(String.init).joined(separator: ", ")
                printError("note: capture\(timeline.capturesWithoutBuckets.count == 1 ? "" : "s") \(ids) stored before time buckets "
                           + "were kept: not in this report (analyze again to include)")
            }
            guard output.format == .table else { return try output.render(Reports.timelineBuckets(timeline)) }
            let table = Reports.timelineSparklines(timeline, registry: registry)
            guard let range = table.range else { return "(no rows)\n" }
            let width = TimeSpan(nanoseconds: timeline.width).defaultValueDescription
            let per = table.bucketsPerCharacter == 1 ? "one character per \(width) bucket"
                                                     : "one character per \(table.bucketsPerCharacter) buckets of \(width)"
            return "bytes over time, \(formatTimestamp(range.start)) .. \(formatTimestamp(range.end)), \(per)\n"
                + (try output.render(table.report))
        }
    }
}
