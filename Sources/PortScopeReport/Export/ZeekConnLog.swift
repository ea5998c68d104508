/// Zeek's conn.log: the tab-separated form with its header lines, and Zeek's JSON form.
/// Originator and responder are Zeek's (`ExportedFlow`); `duration`, `orig_bytes` and
/// `resp_bytes` are unset for a flow of one instant, as Zeek leaves them; `missed_bytes` is 0
/// (PortScope does not reassemble streams); `local_orig`/`local_resp` follow the local networks.
enum ZeekConnLog {
    /// The fields and their Zeek types, in Zeek's order (`community_id` last, where Zeek's
    /// community-id policy script adds it).
    static let fields: [(name: String, type: String)] = [
        ("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"), ("id.resp_h", "addr"),
        ("id.resp_p", "port"), ("proto", "enum"), ("service", "string"), ("duration", "interval"), ("orig_bytes", "count"),
        ("resp_bytes", "count"), ("conn_state", "string"), ("local_orig", "bool"), ("local_resp", "bool"),
        ("missed_bytes", "count"), ("history", "string"), ("orig_pkts", "count"), ("orig_ip_bytes", "count"),
        ("resp_pkts", "count"), ("resp_ip_bytes", "count"), ("tunnel_parents", "set[string]"), ("ip_proto", "count"),
        ("community_id", "string"),
    ]

    /// A field's value as both forms need it: text is quoted in JSON, numbers are not, booleans
    /// are `T`/`F` in TSV and `true`/`false` in JSON.
    private enum Value {
        case text(String), number(String), bool(Bool)
    }

    /// Each field's value in `fields` order, nil where Zeek leaves it unset.
    private static func values(_ f: ExportedFlow) -> [Value?] {
        let lasted = f.lastNS > f.firstNS
        func count(_ v: Int64?) -> Value? { v.map { .number(String($0)) } }
        return [
            .number(ExportedFlow.seconds(f.firstNS)), .text(f.uid), .text(f.origAddr), count(f.origPort),
            .text(f.respAddr), count(f.respPort), .text(f.zeekProto), f.zeekService.map(Value.text),
            lasted ? .number(ExportedFlow.seconds(f.lastNS - f.firstNS)) : nil,
            lasted ? count(f.origPayload) : nil, lasted ? count(f.respPayload) : nil,
            .text(f.connState), .bool(f.origIsLocal), .bool(f.respIsLocal), count(0),
            f.history.isEmpty ? nil : .text(f.history),
            count(f.origPackets), count(f.origIPBytes), count(f.respPackets), count(f.respIPBytes),
            nil,  // tunnel_parents: PortScope makes no connections of tunnels
            count(f.ipProto), f.communityID.map(Value.text),
        ]
    }

    static func header(opened: Int64) -> String {
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t\(zeekDate(opened))\n"
            + "#fields\t" + fields.map(\.name).joined(separator: "\t") + "\n"
            + "#types\t" + fields.map(\.type).joined(separator: "\t") + "\n"
    }

    static func footer(closed: Int64) -> String { "#close\t\(zeekDate(closed))\n" }

    /// One row: unset fields `-`, empty text `(empty)`, tabs, newlines and backslashes in text
    /// escaped as Zeek does (`\x09`).
    static func tsvLine(_ flow: ExportedFlow) -> String {
        values(flow).map { value -> String in
            switch value {
            case nil: "-"
            case .number(let n): n
            case .bool(let b): b ? "T" : "F"
            case .text(let t) where t.isEmpty: "(empty)"
            case .text(let t): t.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\\" }) ? escaped(t) : t
            }
        }.joined(separator: "\t") + "\n"
    }

    /// One JSON object: unset fields left out, as Zeek's JSON logs do.
    static func jsonLine(_ flow: ExportedFlow) -> String {
        "{" + zip(fields, values(flow)).compactMap { field, value -> String? in
            guard let value else { return nil }
            let json = switch value {
            case .text(let t): jsonString(t)
            case .number(let n): n
            case .bool(let b): b ? "true" : "false"
            }
            return jsonString(field.name) + ":" + json
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
