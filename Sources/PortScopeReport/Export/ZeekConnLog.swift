/// Zeek's conn.log: the tab-separated form with its header lines, and Zeek's JSON form.
/// Originator and responder are Zeek's (`ExportedFlow`); `duration`, `orig_bytes` and
/// `resp_bytes` are unset for a flow of one instant, as Zeek leaves them; `missed_bytes` is 0
/// (PortScope does not reassemble streams).
enum ZeekConnLog {
    /// The fields and their Zeek types, in order.
    static let fields: [(name: String, type: String)] = [
        ("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"), ("id.resp_h", "addr"),
        ("id.resp_p", "port"), ("proto", "enum"), ("service", "string"), ("duration", "interval"), ("orig_bytes", "count"),
        ("resp_bytes", "count"), ("conn_state", "string"), ("missed_bytes", "count"), ("history", "string"),
        ("orig_pkts", "count"), ("orig_ip_bytes", "count"), ("resp_pkts", "count"), ("resp_ip_bytes", "count"),
        ("community_id", "string"),
    ]

    /// Each field's value, nil where Zeek leaves it unset; numbers as JSON writes them.
    private static func values(_ f: ExportedFlow) -> [(value: String?, quoted: Bool)] {
        let lasted = f.lastNS > f.firstNS
        func count(_ v: Int64?) -> (String?, Bool) { (v.map(String.init), false) }
        return [
            (ExportedFlow.seconds(f.firstNS), false), (f.uid, true), (f.origAddr, true), (String(f.origPort), false),
            (f.respAddr, true), (String(f.respPort), false), (f.zeekProto, true), (f.zeekService, true),
            (lasted ? ExportedFlow.seconds(f.lastNS - f.firstNS) : nil, false),
            lasted ? count(f.origPayload) : (nil, false), lasted ? count(f.respPayload) : (nil, false),
            (f.connState, true), ("0", false), (f.history.isEmpty ? nil : f.history, true),
            count(f.origPackets), count(f.origIPBytes), count(f.respPackets), count(f.respIPBytes),
            (f.communityID, true),
        ]
    }

    static func header(opened: Int64) -> String {
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t\(zeekDate(opened))\n"
            + "#fields\t" + fields.map(\.name).joined(separator: "\t") + "\n"
            + "#types\t" + fields.map(\.type).joined(separator: "\t") + "\n"
    }

    static func footer(closed: Int64) -> String { "#close\t\(zeekDate(closed))\n" }

    /// One row: unset fields `-`, tabs and newlines in text escaped as Zeek does (`\x09`).
    static func tsvLine(_ flow: ExportedFlow) -> String {
        values(flow).map { value, _ in
            guard let value else { return "-" }
            if value.isEmpty { return "(empty)" }
            return value.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\\" }) ? escaped(value) : value
        }.joined(separator: "\t") + "\n"
    }

    /// One JSON object: unset fields left out, as Zeek's JSON logs do.
    static func jsonLine(_ flow: ExportedFlow) -> String {
        "{" + zip(fields, values(flow)).compactMap { field, item in
            guard let value = item.value else { return nil }
            return jsonString(field.name) + ":" + (item.quoted ? jsonString(value) : value)
        }.joined(separator: ",") + "}\n"
    }

    private static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\t": out += "\\x09"
            case "\n": out += "\\x0a"
            case "\\": out += "\\x5c"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Zeek's `#open` form: `2024-05-01-12-00-00`.
    private static func zeekDate(_ nanoseconds: Int64) -> String {
        let iso = formatTimestamp(nanoseconds)  // 2024-05-01T12:00:00.000000Z
        return String(iso.prefix(19)).replacing("T", with: "-").replacing(":", with: "-")
    }
}
