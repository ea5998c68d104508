/// A line chart of values over time as inline SVG: one line per series over evenly spaced
/// buckets, a y axis in the values' unit, a time axis in UTC, a legend, a title and a description.
struct SVGLineChart {
    struct Series {
        var name: String
        /// One value per bucket, from `start`.
        var values: [Int64]
    }

    var id: String
    var title: String
    var description: String
    /// The first bucket's start and the buckets' width, in nanoseconds since 1970.
    var start: Int64
    var bucket: Int64
    var series: [Series]
    /// How a value on the y axis prints.
    var valueText: (Int64) -> String

    static let width = 760, height = 260, left = 80, right = 20, top = 12, bottom = 40
    static let colours = ["#3b6ea5", "#d9822b", "#3a9e5f", "#b5403a", "#7d5ba6", "#8c6d31", "#c2549d", "#5b8c9e"]

    var svg: String {
        let buckets = max(1, series.map(\.values.count).max() ?? 1)
        let plotWidth = Double(Self.width - Self.left - Self.right), plotHeight = Double(Self.height - Self.top - Self.bottom)
        let peak = niceCeiling(max(1, series.flatMap(\.values).max() ?? 1))
        func x(_ i: Int) -> Double { Double(Self.left) + (buckets == 1 ? plotWidth / 2 : Double(i) / Double(buckets - 1) * plotWidth) }
        func y(_ v: Int64) -> Double { Double(Self.top) + plotHeight - Double(v) / Double(peak) * plotHeight }
        let legendRows = (series.count + 2) / 3
        let height = Self.height + legendRows * 20
        var svg = svgOpening(id: id, width: Self.width, height: height, title: title, description: description)
        // Grid and y axis: four steps up to a round peak.
        for step in 0...4 {
            let value = peak * Int64(step) / 4, at = format(y(value))
            svg += "<line class=\"grid\" x1=\"\(Self.left)\" x2=\"\(Self.width - Self.right)\" y1=\"\(at)\" y2=\"\(at)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(Self.left - 6)\" y=\"\(format(y(value) + 4))\" text-anchor=\"end\">\(escapeHTML(valueText(value)))</text>\n"
        }
        // Time axis: up to five labels, at bucket starts.
        let labels = min(5, buckets), span = bucket * Int64(buckets)
        for n in 0..<labels {
            let i = labels == 1 ? 0 : n * (buckets - 1) / (labels - 1)
            svg += "<text class=\"time\" x=\"\(format(x(i)))\" y=\"\(Self.height - Self.bottom + 18)\" text-anchor=\"middle\">"
                + "\(escapeHTML(timeLabel(start + Int64(i) * bucket, span: span)))</text>\n"
        }
        svg += "<line x1=\"\(Self.left)\" x2=\"\(Self.width - Self.right)\" y1=\"\(format(y(0)))\" y2=\"\(format(y(0)))\" stroke=\"#888\"/>\n"
        for (n, line) in series.enumerated() {
            let colour = Self.colours[n % Self.colours.count]
            let points = line.values.enumerated().map { "\(format(x($0.offset))),\(format(y($0.element)))" }
            svg += "<g class=\"series\"><title>\(escapeHTML(line.name))</title>"
            svg += line.values.count == 1
                ? "<circle cx=\"\(format(x(0)))\" cy=\"\(format(y(line.values[0])))\" r=\"4\" fill=\"\(colour)\"/>"
                : "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
            svg += "</g>\n"
            let lx = Self.left + (n % 3) * 220, ly = Self.height + (n / 3) * 20
            svg += "<g class=\"legend\"><rect x=\"\(lx)\" y=\"\(ly - 10)\" width=\"12\" height=\"12\" fill=\"\(colour)\"/>"
                + "<text x=\"\(lx + 18)\" y=\"\(ly)\">\(escapeHTML(line.name))</text></g>\n"
        }
        return svg + "</svg>\n"
    }

    /// A round number at or above `value` in the units sizes are written in (powers of 1024):
    /// 1, 2, 4, 8 or 10 times a power of ten of the unit, so that quarters of it read well.
    private func niceCeiling(_ value: Int64) -> Int64 {
        var unit: Int64 = 1
        while unit <= value / 1024 { unit *= 1024 }
        let scaled = Double(value) / Double(unit)
        var magnitude = 1.0
        while magnitude * 10 <= scaled { magnitude *= 10 }
        let factor = [1.0, 2, 4, 8, 10].first { magnitude * $0 >= scaled } ?? 10
        return Int64((magnitude * factor * Double(unit)).rounded(.up))
    }

    /// A bucket start as the axis shows it: the time of day for a range within a day (with
    /// seconds when buckets are narrower than a minute), the date and time beyond.
    private func timeLabel(_ time: Int64, span: Int64) -> String {
        let civil = CivilTime(time)
        if span > 86_400_000_000_000 { return "\(civil.date) \(civil.clock.prefix(5))" }
        return bucket < 60_000_000_000 ? civil.clock : String(civil.clock.prefix(5))
    }
}
