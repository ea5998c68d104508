import PortScopeAnalysis
import PortScopeDecode
import PortScopeFlows

/// `portscope report --html`: one self-contained page (no script, font, style or image fetched
/// from anywhere; its Content-Security-Policy forbids it) with the captures' summary, the top
/// services as a bar chart, their traffic over time as lines, who serves what, the findings with
/// their evidence, and the change from a baseline. Each chart says in words what it shows, and
/// the page reads and prints without JavaScript (it has none).
public struct HTMLReport {
    /// What the page covers, in words (`captures 1, 2`, the window).
    public var scope: String
    /// When the page was made, nanoseconds since 1970.
    public var generated: Int64
    /// The captures covered (the `captures` report's rows for them).
    public var captures: Report
    /// The `services` report over them, busiest first.
    public var services: Report
    public var timeline: Timeline
    /// The host view's lines (`HostView.lines`).
    public var hosts: [HostService]
    public var findings: [Finding]
    /// The change from the baseline, and how to name the baseline, when one was given.
    public var changes: (baseline: String, changes: [ServiceChange])?
    public var registry: ServiceRegistry
    /// How the timeline's bucket width is written (`1m`).
    public var bucketName: String
    /// Services in the bar chart and the tables; ports with a line over time.
    public var topServices = 10, topPorts = 5, topServers = 15

    public init(scope: String, generated: Int64, captures: Report, services: Report, timeline: Timeline, hosts: [HostService],
                findings: [Finding], changes: (baseline: String, changes: [ServiceChange])?, registry: ServiceRegistry,
                bucketName: String) {
        self.scope = scope
        self.generated = generated
        self.captures = captures
        self.services = services
        self.timeline = timeline
        self.hosts = hosts
        self.findings = findings
        self.changes = changes
        self.registry = registry
        self.bucketName = bucketName
    }

    public func render() -> String {
        var body = "<header><h1>PortScope report</h1>\n<p>\(escapeHTML(scope)); made \(escapeHTML(formatTimestamp(generated))) "
            + "by PortScope. Times are UTC.</p></header>\n"
        body += summary() + topServicesSection() + timelineSection() + whoServesWhat() + findingsSection()
        if let changes { body += changesSection(changes.baseline, changes.changes) }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>PortScope report: \(escapeHTML(scope))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;max-width:1100px;margin:1.5em auto;padding:0 1em}
        h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;margin:.5em 0 1em;font-size:13px}caption{text-align:left;font-weight:600;padding:.3em 0}
        th,td{padding:3px 8px;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}th{background:#f3f3f3}
        .n{text-align:right;font-variant-numeric:tabular-nums}.empty,.more{color:#555}
        dl.totals{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dl.totals dt{color:#555}dl.totals dd{margin:0}
        svg.chart{display:block;max-width:100%;height:auto;font-size:12px;font-family:inherit}svg text{fill:#222}
        figure{margin:.5em 0 1em}figcaption{color:#444;margin:.3em 0}
        .high{color:#a3201c;font-weight:600}.medium{color:#9a5b00}.low{color:#555}
        td.cell{text-align:right;font-variant-numeric:tabular-nums}
        @media print{body{max-width:none;margin:0}h2{break-after:avoid}figure,table{break-inside:avoid}}
        """

    private func section(_ id: String, _ title: String, _ explanation: String, _ content: String) -> String {
        "<section id=\"\(id)\">\n<h2>\(escapeHTML(title))</h2>\n<p>\(escapeHTML(explanation))</p>\n\(content)</section>\n"
    }

    private func int(_ report: Report, _ key: String, _ row: [Report.Cell]) -> Int64 {
        if case .int(let value) = report.value(key, in: row) { return value }
        return 0
    }

    private func summary() -> String {
        let sums = ["packets", "bytes", "flows"].map { key in services.rows.reduce(Int64(0)) { $0 + int(services, key, $1) } }
        let first = captures.rows.map { int(captures, "first_seen", $0) }.min(), last = captures.rows.map { int(captures, "last_seen", $0) }.max()
        let counts = Dictionary(grouping: findings, by: \.severity).mapValues(\.count)
        let servers = Set(hosts.filter(\.serves).map(\.host)).count
        var items: [(String, String)] = [
            ("Captures", "\(captures.rows.count)"),
            ("Time", first.flatMap { f in last.map { "\(formatTimestamp(f)) .. \(formatTimestamp($0))" } } ?? "none"),
            ("Service traffic", "\(HumanNumber.count(sums[0])) packets, \(HumanNumber.bytes(sums[1])), \(HumanNumber.count(sums[2])) flows "
                + "(exactly \(sums[0]) packets, \(sums[1]) bytes)"),
            ("Service ports", "\(services.rows.count)"),
            ("Servers", "\(servers) hosts serving established traffic"),
            ("Findings", findings.isEmpty ? "none" : Severity.allCases.reversed().compactMap { severity in
                counts[severity].map { "\($0) \(severity.rawValue)" } }.joined(separator: ", ")),
        ]
        if let changes { items.append(("Since \(changes.baseline)", "\(changes.changes.filter { $0.kind == .added }.count) services added, "
                                       + "\(changes.changes.filter { $0.kind == .removed }.count) removed")) }
        let list = "<dl class=\"totals\">" + items.map { "<dt>\(escapeHTML($0.0))</dt><dd>\(escapeHTML($0.1))</dd>" }.joined() + "</dl>\n"
        return section("summary", "Summary", "What the captures hold: service traffic counts every flow whose server used a port "
                       + "(TCP, UDP, SCTP), as the services report does.", list
                       + captures.htmlTable(caption: "Captures", layout: TableLayout(columns: ["id", "file", "interface", "packets", "bytes", "flows", "status", "first_seen", "last_seen"])))
    }

    private func serviceLabel(_ proto: String, _ port: Int64) -> String {
        let name = IPProtocol(name: proto).flatMap { registry.name($0, UInt16(clamping: port)) }
        return "\(proto)/\(port)" + (name.map { " \($0)" } ?? "")
    }

    private func topServicesSection() -> String {
        let top = Array(services.rows.prefix(topServices))
        let chart = SVGBarChart(id: "top-services", title: "Bytes per service port, the \(top.count) busiest",
                                description: "A bar per service port, longest for the most bytes, both directions: "
                                    + top.map { "\(serviceLabel(services.value("proto", in: $0).text, int(services, "port", $0))) "
                                        + HumanNumber.bytes(int(services, "bytes", $0)) }.joined(separator: "; "),
                                bars: top.map { row in
                                    SVGBarChart.Bar(label: serviceLabel(services.value("proto", in: row).text, int(services, "port", row)),
                                                    value: int(services, "bytes", row), valueText: HumanNumber.bytes(int(services, "bytes", row)))
                                })
        let content = top.isEmpty ? "<p class=\"empty\">No service traffic.</p>\n"
            : "<figure>\n\(chart.svg)<figcaption>Bytes carried by the busiest service ports (the server's port of each flow), "
                + "both directions, over the captures and time covered.</figcaption>\n</figure>\n"
                + services.htmlTable(caption: "Top services", limit: topServices)
        return section("services", "Top services", "Which ports carry what: per service port, its traffic, flows, clients and servers.", content)
    }

    private func timelineSection() -> String {
        let busiest = services.rows.prefix(topPorts).map { "\(services.value("proto", in: $0).text)/\(int(services, "port", $0))" }
        let lines = timeline.lines.filter { busiest.contains("\($0.proto.name)/\($0.port)") }
        guard let start = timeline.lines.map(\.start).min(), let end = timeline.lines.map(\.start).max(), !lines.isEmpty else {
            return section("timeline", "Traffic over time", "Bytes per time bucket of the busiest service ports.",
                           "<p class=\"empty\">No time buckets for these captures (stored before PortScope kept them: analyze them again).</p>\n")
        }
        let count = Int((end - start) / timeline.width) + 1
        let series = busiest.map { key in
            var values = [Int64](repeating: 0, count: count)
            for line in lines where "\(line.proto.name)/\(line.port)" == key { values[Int((line.start - start) / timeline.width)] += line.bytes }
            let parts = key.split(separator: "/")
            return SVGLineChart.Series(name: serviceLabel(String(parts[0]), Int64(parts[1]) ?? 0), values: values)
        }
        let width = bucketName
        let chart = SVGLineChart(id: "timeline", title: "Bytes per \(width) bucket, the \(series.count) busiest service ports",
                                 description: "A line per service port across \(count) buckets of \(width) from \(formatTimestamp(start)): "
                                    + series.map { "\($0.name) peaks at \(HumanNumber.bytes($0.values.max() ?? 0))" }.joined(separator: "; "),
                                 start: start, bucket: timeline.width, series: series, valueText: HumanNumber.bytes)
        return section("timeline", "Traffic over time", "When each busy port carried its traffic: bytes seen in each \(width) bucket "
                       + "(a long flow counts in every bucket it spans).",
                       "<figure>\n\(chart.svg)<figcaption>Bytes per \(width) bucket, both directions, for the \(series.count) busiest "
                       + "service ports, from \(formatTimestamp(start)) to \(formatTimestamp(end + timeline.width)).</figcaption>\n</figure>\n")
    }

    private func whoServesWhat() -> String {
        let serves = hosts.filter(\.serves)
        var byService: [ServiceKey: Int64] = [:], byServer: [IPAddress: Int64] = [:]
        struct Column: Hashable { var proto: IPProtocol; var port: UInt16 }
        var columnBytes: [Column: Int64] = [:]
        for line in serves {
            byService[line.service, default: 0] += line.totals.bytes
            byServer[line.host, default: 0] += line.totals.bytes
            columnBytes[Column(proto: line.service.proto, port: line.service.port), default: 0] += line.totals.bytes
        }
        let columns = columnBytes.sorted { $0.value != $1.value ? $0.value > $1.value : ($0.key.proto.rawValue, $0.key.port) < ($1.key.proto.rawValue, $1.key.port) }
            .prefix(10).map(\.key)
        let servers = byServer.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(topServers).map(\.key)
        guard !servers.isEmpty else {
            return section("servers", "Who serves what", "Hosts that served established traffic, per service.", "<p class=\"empty\">No host served established traffic.</p>\n")
        }
        let peak = Double(max(1, byService.values.max() ?? 1))
        var table = "<table class=\"matrix\">\n<caption>Servers (rows, busiest first) × service ports (columns): clients and bytes</caption>\n"
            + "<thead><tr><th scope=\"col\">server</th>"
            + columns.map { "<th scope=\"col\" class=\"n\">\(escapeHTML(serviceLabel($0.proto.name, Int64($0.port))))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for server in servers {
            let scope = serves.first { $0.host == server }?.isLocal == true ? "local" : "external"
            table += "<tr><th scope=\"row\">\(escapeHTML(server.description)) <small>\(scope)</small></th>"
            for column in columns {
                guard let line = serves.first(where: { $0.host == server && $0.service.proto == column.proto && $0.service.port == column.port }) else {
                    table += "<td></td>"
                    continue
                }
                // Shade by the service's share of the busiest one's bytes.
                let shade = format(0.12 + 0.5 * Double(line.totals.bytes) / peak)
                table += "<td class=\"cell\" style=\"background:rgba(59,110,165,\(shade))\">\(line.clients ?? 0) "
                    + "client\(line.clients == 1 ? "" : "s")<br>\(escapeHTML(HumanNumber.bytes(line.totals.bytes)))</td>"
            }
            table += "</tr>\n"
        }
        table += "</tbody>\n</table>\n"
        let left = byServer.count - servers.count
        if left > 0 { table += "<p class=\"more\">\(left) more servers not shown.</p>\n" }
        return section("servers", "Who serves what", "Each server with established traffic and what it served to whom: a row per "
                       + "server, a column per service port (the ten busiest), each cell its clients and bytes, darker for more bytes.", table)
    }

    private func findingsSection() -> String {
        let report = Reports.unexpected(findings, explain: false)
        let content = report.htmlTable(caption: "Findings, most severe first", layout: TableLayout(columns: [
            "severity", "kind", "host", "proto", "port", "reason", "flows", "peers", "packets", "bytes", "first_seen", "last_seen"]))
        return section("findings", "What is unexpected", "What runs where it should not, each finding with its evidence: the flows, "
                       + "the peers at the other end, and the traffic it rests on.", content)
    }

    private func changesSection(_ baseline: String, _ changes: [ServiceChange]) -> String {
        section("changes", "Changes since \(baseline)", "Local services (server, protocol, port with established traffic) added or "
                + "removed since the baseline; _a is the baseline's, _b the captures' covered here.",
                Reports.diff(changes, registry: registry).htmlTable(caption: "Services added and removed"))
    }
}
