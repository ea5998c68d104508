/// A ClickHouse server's HTTP interface: `http://[user[:password]@]host[:port][/]`. The user and
/// password come from the URL or else the environment (`CLICKHOUSE_USER`, `CLICKHOUSE_PASSWORD`),
/// travel as HTTP basic authentication, and are never printed (`description` leaves them out).
public struct ClickHouseServer: Sendable, CustomStringConvertible {
    public let host: String
    public let port: UInt16
    private let user: String?
    private let password: String?

    /// Nil when `url` is no `http://host[:port]` URL.
    public init?(url: String, environment: [String: String] = [:]) {
        guard url.hasPrefix("http://") else { return nil }
        var rest = Substring(url.dropFirst(7))
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var user: String?, password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = String(credentials[..<colon])
                password = String(credentials[credentials.index(after: colon)...])
            } else {
                user = String(credentials)
            }
        }
        var port: UInt16 = 8123
        if let colon = rest.lastIndex(of: ":") {
            guard let number = UInt16(rest[rest.index(after: colon)...]) else { return nil }
            port = number
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { return nil }
        host = String(rest)
        self.port = port
        self.user = user ?? environment["CLICKHOUSE_USER"]
        self.password = password ?? environment["CLICKHOUSE_PASSWORD"]
    }

    public var description: String { "http://\(host):\(port)" }

    /// `url` with any password left out, for messages.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else { return url }
        let credentials = url[scheme.upperBound..<at]
        let user = credentials.split(separator: ":", maxSplits: 1).first ?? ""
        return String(url[..<scheme.upperBound]) + user + ":…" + String(url[at...])
    }

    private var headers: [(String, String)] {
        guard let user else { return [] }
        return [("Authorization", "Basic " + base64(Array("\(user):\(password ?? "")".utf8)))]
    }

    /// Runs `sql`; its output (TabSeparated).
    @discardableResult
    public func query(_ sql: String) throws(HTTPError) -> String {
        try HTTPRequest.post(host: host, port: port, path: "/", headers: headers, body: Array(sql.utf8))
    }

    /// Inserts `rows` (TabSeparated, one per line) into `table`.
    public func insert(_ table: String, columns: [String], rows: [UInt8]) throws(HTTPError) {
        let query = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) FORMAT TabSeparated"
        _ = try HTTPRequest.post(host: host, port: port, path: "/?query=" + percentEncoded(query), headers: headers, body: rows)
    }

    private func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    private func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = Array(bytes[start..<min(start + 3, bytes.count)]) + [0, 0]
            let value = UInt32(chunk[0]) << 16 | UInt32(chunk[1]) << 8 | UInt32(chunk[2])
            let count = min(3, bytes.count - start)
            for i in 0..<4 { out.append(i <= count ? alphabet[Int(value >> (18 - 6 * UInt32(i)) & 63)] : "=") }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
