/// Text made safe for HTML and SVG: `&`, `<`, `>`, and both quotes, so it can stand in content
/// and in attribute values alike.
func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}

extension Report {
    /// The report as an HTML table, its cells as a default text table prints them (`layout`),
    /// numbers right-aligned; `caption` says what it lists.
    func htmlTable(caption: String, limit: Int? = nil, layout: TableLayout = .standard) -> String {
        let picked = layout.columns.map { selecting($0) }
            ?? selecting(layout.wide ? keys : headings.filter { !$0.detail }.map(\.key))
        let shown = limit.map { Array(picked.rows.prefix($0)) } ?? picked.rows
        guard !shown.isEmpty else { return "<p class=\"empty\">\(escapeHTML(caption)): none.</p>\n" }
        func cellClass(_ heading: ReportHeading) -> String { heading.style.isNumeric ? " class=\"n\"" : "" }
        var html = "<table>\n<caption>\(escapeHTML(caption))</caption>\n<thead><tr>"
        html += picked.headings.map { "<th scope=\"col\"\(cellClass($0))>\(escapeHTML($0.header.lowercased().replacing("_", with: " ")))</th>" }.joined()
        html += "</tr></thead>\n<tbody>\n"
        for row in shown {
            let texts = picked.tableTexts(row, layout)
            html += "<tr>" + zip(texts, picked.headings).map { "<td\(cellClass($1))>\(escapeHTML($0))</td>" }.joined() + "</tr>\n"
        }
        html += "</tbody>\n</table>\n"
        if shown.count < picked.rows.count {
            html += "<p class=\"more\">\(picked.rows.count - shown.count) more not shown.</p>\n"
        }
        return html
    }
}
