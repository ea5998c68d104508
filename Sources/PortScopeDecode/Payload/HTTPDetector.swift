/// HTTP/1.x (RFC 9112) request and status lines, the Host header, and the HTTP/2 connection
/// preface (RFC 9113) of cleartext HTTP/2.
enum HTTPDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 4 else { return nil }
        if p.matches("PRI * HTTP/2.0") { return PayloadDetection(.http2, .high, .client) }
        if p.matches("HTTP/1.") {
            guard p.count >= 12, isDigit(p.byte(at: 7)), p.byte(at: 8) == 0x20,
                  isDigit(p.byte(at: 9)), isDigit(p.byte(at: 10)), isDigit(p.byte(at: 11)) else { return nil }
            return PayloadDetection(.http, .high, .server)
        }
        return request(p)
    }

    /// `METHOD target HTTP/1.x`: high when the whole line was captured, medium when only the
    /// method and the start of an HTTP target were, or for HTTP/0.9's `GET /path` alone.
    private static func request(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard let target = methodEnd(p) else { return nil }
        guard let end = p.lineEnd(from: 0) else {
            guard target < p.count else { return nil }
            let first = p.byte(at: target)
            let httpTarget = first == 0x2F || first == 0x2A || p.matchesIgnoringCase("HTTP", at: target)
            return httpTarget ? PayloadDetection(.http, .medium, .client) : nil
        }
        if end > target, p.byte(at: 0) == 0x47, p.byte(at: target) == 0x2F,
           p.skip(from: target, limit: end - target, while: isTokenByte) == end {
            return PayloadDetection(.http, .medium, .client)  // HTTP/0.9: no version, no headers
        }
        guard end >= target + 10, p.matches(" HTTP/1.", at: end - 9), isDigit(p.byte(at: end - 1)) else { return nil }
        return PayloadDetection(.http, .high, .client, name: host(p, from: end + 2))
    }

    /// The index after `METHOD ` when the payload starts with a known method.
    private static func methodEnd(_ p: UnsafeRawBufferPointer) -> Int? {
        switch p.byte(at: 0) {
        case 0x47 where p.matches("GET "): 4
        case 0x50 where p.matches("POST "): 5
        case 0x50 where p.matches("PUT "): 4
        case 0x50 where p.matches("PATCH "): 6
        case 0x50 where p.matches("PROPFIND "): 9
        case 0x48 where p.matches("HEAD "): 5
        case 0x44 where p.matches("DELETE "): 7
        case 0x4F where p.matches("OPTIONS "): 8
        case 0x43 where p.matches("CONNECT "): 8
        case 0x54 where p.matches("TRACE "): 6
        default: nil
        }
    }

    /// The value of the Host header among the header lines from `offset`, when its line was
    /// captured whole.
    private static func host(_ p: UnsafeRawBufferPointer, from offset: Int) -> Range<Int>? {
        var line = offset
        while line < p.count, let end = p.lineEnd(from: line, limit: 8192), end > line {
            if p.matchesIgnoringCase("HOST:", at: line) {
                let start = p.skip(from: line + 5) { $0 == 0x20 || $0 == 0x09 }
                var stop = end
                while stop > start && (p.byte(at: stop - 1) == 0x20 || p.byte(at: stop - 1) == 0x09) { stop -= 1 }
                return stop > start ? start..<stop : nil
            }
            line = end + 2
        }
        return nil
    }
}
