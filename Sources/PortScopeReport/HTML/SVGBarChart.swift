/// A horizontal bar chart as inline SVG: one labelled bar per item, its value written after it,
/// with a title and a description for readers who cannot see it.
struct SVGBarChart {
    struct Bar {
        var label: String
        var value: Int64
        var valueText: String
    }

    var id: String
    var title: String
    var description: String
    var bars: [Bar]

    static let width = 760, rowHeight = 26, labelWidth = 190, valueWidth = 90

    var svg: String {
        let height = bars.count * Self.rowHeight + 10
        let area = Double(Self.width - Self.labelWidth - Self.valueWidth)
        let peak = Double(max(1, bars.map(\.value).max() ?? 1))
        var svg = svgOpening(id: id, width: Self.width, height: height, title: title, description: description)
        for (i, bar) in bars.enumerated() {
            let y = 5 + i * Self.rowHeight, length = max(1, Double(bar.value) / peak * area)
            svg += """
                <g class="bar"><text x="\(Self.labelWidth - 8)" y="\(y + 17)" text-anchor="end">\(escapeHTML(bar.label))</text>\
                <rect x="\(Self.labelWidth)" y="\(y + 3)" width="\(format(length))" height="\(Self.rowHeight - 8)" fill="#3b6ea5">\
                <title>\(escapeHTML("\(bar.label): \(bar.valueText)"))</title></rect>\
                <text x="\(format(Double(Self.labelWidth) + length + 6))" y="\(y + 17)">\(escapeHTML(bar.valueText))</text></g>

                """
        }
        return svg + "</svg>\n"
    }
}

/// A coordinate for SVG: one decimal at most.
func format(_ value: Double) -> String {
    let tenths = (value * 10).rounded()
    return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int64(tenths / 10)) : String(tenths / 10)
}

/// The opening of a chart's `<svg>`: its size, and the title and description it is labelled by.
func svgOpening(id: String, width: Int, height: Int, title: String, description: String) -> String {
    """
    <svg xmlns="http://www.w3.org/2000/svg" class="chart" id="\(id)" role="img" aria-labelledby="\(id)-title \(id)-desc" \
    width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)">
    <title id="\(id)-title">\(escapeHTML(title))</title>
    <desc id="\(id)-desc">\(escapeHTML(description))</desc>

    """
}
