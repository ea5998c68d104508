import Foundation
@testable import PortScopeReport
import Testing

/// A headless Chromium for the HTML report's rendering test: Debian's `chromium`, installed when
/// missing if this is root on Debian (as in CI); nil where it cannot be.
enum Browser {
    static let chromium: String? = {
        func find() -> String? { ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) } }
        if let found = find() { return found }
        if getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get") {
            _ = try? runProgram("/usr/bin/env", ["DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq",
                                                 "--no-install-recommends", "chromium"])
        }
        return find()
    }()
    /// PyPI's websocket-client, which `scripts/render-page` drives Chromium with.
    static let websocket = PythonReference.available(module: "websocket", package: "websocket-client")
}

/// `portscope report --html`: one page that needs nothing but itself, with its charts drawn from
/// the same figures as the text reports.
@Suite(.serialized)
struct HTMLReportTests {
    /// Thirty minutes of an office network: HTTPS from three clients to two servers, DNS, SSH every
    /// five minutes, a service on 8443 from minute 12, and a port scan at minute 20; Monday (the
    /// baseline) has the first ten minutes without 8443.
    static func database(_ dir: TemporaryDirectory) throws -> String {
        func day(minutes: Int, from start: Int64, newService: Bool) -> TrafficCapture {
            var traffic = TrafficCapture()
            for minute in 0..<minutes {
                traffic.micros = start + Int64(minute) * 60_000_000
                for client in 0..<3 {
                    traffic.session("192.168.1.\(10 + client)", 40000 + minute * 3 + client, "203.0.113.\(10 + client % 2)", 443,
                                    exchanges: 1 + (minute + client) % 4, response: 1200)
                }
                traffic.udpExchange("192.168.1.10", 50000 + minute, "192.168.1.1", 53, request: 40, response: 120)
                if minute % 5 == 0 { traffic.session("192.168.1.20", 45000 + minute, "192.168.1.5", 22, exchanges: 6) }
                if newService && minute >= 12 {
                    traffic.session("192.168.1.11", 46000 + minute, "192.168.1.5", 8443,
                                    payloads: (AppBytes.tlsClientHello(serverName: "admin.example"), AppBytes.response("tcp", port: 443, size: 4000)))
                }
                if newService && minute == 20 {
                    for port in 1...40 { traffic.synProbe("192.168.1.66", 60000, "192.168.1.5", port, answer: port == 22 ? .synAck : .reset) }
                }
            }
            return traffic
        }
        let monday: Int64 = 1_700_000_000 / 60 * 60 * 1_000_000, tuesday = monday + 86_400_000_000
        try day(minutes: 10, from: monday, newService: false).write(to: dir.file("monday.pcap"))
        try day(minutes: 30, from: tuesday, newService: true).write(to: dir.file("tuesday.pcap"))
        let db = dir.file("o.db")
        let run = try portscope(["analyze", dir.file("monday.pcap"), dir.file("tuesday.pcap"), "--bucket", "1m", "--db", db, "--quiet"])
        #expect(run.status == 0, "\(run.err)")
        return db
    }

    /// The page stands alone: no script, nothing fetched (its policy forbids it), each chart with
    /// a title, a description and a caption; the sections a reader expects, the change from the
    /// baseline among them.
    @Test func pageIsSelfContained() throws {
        let dir = TemporaryDirectory(), db = try Self.database(dir), page = dir.file("r.html")
        let run = try portscope(["report", "--html", page, "--capture", "tuesday.pcap", "--baseline", "monday.pcap", "--db", db])
        #expect(run.status == 0 && run.err == "report written to \(page)\n", "\(run.err)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""))
        for fetching in ["<script", "src=", "href=", "url(", "@import", "<link"] { #expect(!html.contains(fetching), "\(fetching)") }
        #expect(html.components(separatedBy: "<svg ").count == 3)
        for id in ["summary", "services", "timeline", "servers", "findings", "changes"] { #expect(html.contains("<section id=\"\(id)\">"), "\(id)") }
        // The figures are the reports' own.
        #expect(html.contains("<td>new_service</td><td>192.168.1.5</td><td>tcp</td><td class=\"n\">8443</td>"))
        #expect(html.contains("<td>scan</td><td>192.168.1.66</td>"))
        #expect(try portscope(["report", "--html", "-", "--capture", "tuesday.pcap", "--baseline", "monday.pcap", "--db", db]).out
                    .replacing(#/made [^ ]+ by/#, with: "") == html.replacing(#/made [^ ]+ by/#, with: ""))
        // A page it cannot write is an error, and nothing is left behind.
        let refused = try portscope(["report", "--html", dir.file("no/such/dir/r.html"), "--db", db])
        #expect(refused.status == 1 && refused.err.hasPrefix("Error: \(dir.file("no/such/dir/r.html")): No such file or directory"), "\(refused.err)")
    }

    @Test func textIsEscaped() {
        #expect(escapeHTML(#"<b a="1">'x' & y</b>"#) == "&lt;b a=&quot;1&quot;&gt;&#39;x&#39; &amp; y&lt;/b&gt;")
    }

    /// Rendered in a real headless browser: no request leaves the file, no console error, every
    /// chart drawn, sized and labelled; the screenshot is kept (`.build/portscope-report.png`).
    @Test(.enabled(if: Browser.chromium != nil, "chromium is not installed and could not be: the page was not rendered"),
          .enabled(if: Browser.websocket, "PyPI websocket-client could not be installed: the page was not rendered"))
    func rendersInABrowser() throws {
        let dir = TemporaryDirectory(), db = try Self.database(dir), page = dir.file("r.html")
        #expect(try portscope(["report", "--html", page, "--capture", "tuesday.pcap", "--baseline", "monday.pcap", "--db", db]).status == 0)
        let screenshot = repositoryRoot + "/.build/portscope-report.png"
        let run = try runProgram("/usr/bin/env", ["python3", repositoryRoot + "/scripts/render-page", page, screenshot])
        #expect(run.status == 0, "\(run.err)")
        let rendered = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        #expect(rendered["requests"] as? [String] == ["file://" + page])
        #expect((rendered["errors"] as? [String])?.isEmpty == true, "\(rendered["errors"] ?? "")")
        let charts = try #require(rendered["charts"] as? [[String: Any]])
        #expect(charts.map { $0["id"] as? String } == ["top-services", "timeline"])
        for chart in charts {
            let width = chart["width"] as? Double ?? 0, height = chart["height"] as? Double ?? 0
            #expect(width >= 600 && height >= 150, "\(chart["id"] ?? ""): \(width)×\(height)")
            for key in ["title", "desc", "caption"] { #expect((chart[key] as? String ?? "").count > 20, "\(chart["id"] ?? ""): \(key)") }
            #expect(chart["labelledby"] as? String == "\(chart["id"]!)-title \(chart["id"]!)-desc")
        }
        let bars = charts[0], lines = charts[1]
        #expect((bars["texts"] as? [String])?.first == "tcp/443 https" && (bars["marks"] as? Int ?? 0) >= 5)
        // A line per busy port, 8443 among them, over the thirty one-minute buckets.
        let legend = lines["texts"] as? [String] ?? []
        #expect(legend.contains("tcp/8443 pcsync-https") && legend.contains("tcp/443 https"), "\(legend)")
        #expect((lines["title"] as? String)?.hasPrefix("Bytes per 1m bucket") == true && (lines["desc"] as? String)?.contains("across 30 buckets") == true)
        let sections = (rendered["sections"] as? [[String: Any]] ?? []).map { $0["heading"] as? String ?? "" }
        #expect(sections == ["Summary", "Top services", "Traffic over time", "Who serves what", "What is unexpected",
                             "Changes since monday.pcap (capture 1)"])
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.count > 20_000 && png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
    }
}
