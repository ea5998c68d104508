/// SIP, RFC 3261: a request line `METHOD sip:… SIP/2.0` or a status line `SIP/2.0 200 …`,
/// over UDP or TCP.
enum SIPDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 12 else { return nil }
        if p.matches("SIP/2.0 ") {
            return isDigit(p.byte(at: 8)) && isDigit(p.byte(at: 9)) && isDigit(p.byte(at: 10))
                ? PayloadDetection(.sip, .high, .server) : nil
        }
        let method = p.skip(from: 0, limit: 10) { (0x41...0x5A).contains($0) }
        guard method >= 3, method < p.count, p.byte(at: method) == 0x20 else { return nil }
        let uri = method + 1
        guard p.matchesIgnoringCase("SIP:", at: uri) || p.matchesIgnoringCase("SIPS:", at: uri)
                || p.matchesIgnoringCase("TEL:", at: uri) else { return nil }
        guard let end = p.lineEnd(from: 0) else { return PayloadDetection(.sip, .medium, .client) }
        return end >= uri + 12 && p.matches(" SIP/2.0", at: end - 8) ? PayloadDetection(.sip, .high, .client) : nil
    }
}

/// SSDP (UPnP device architecture): `M-SEARCH * HTTP/1.1` searches and `NOTIFY * HTTP/1.1`
/// announcements over UDP; unicast answers are HTTP status lines from port 1900.
enum SSDPDetector {
    static func detect(_ p: UnsafeRawBufferPointer, _ context: PayloadContext) -> PayloadDetection? {
        if p.matches("M-SEARCH * HTTP/1.") { return PayloadDetection(.ssdp, .high, .client) }
        if p.matches("NOTIFY * HTTP/1.") { return PayloadDetection(.ssdp, .high, .server) }
        if p.matches("HTTP/1.1 200") { return PayloadDetection(.ssdp, context.involves(1900) ? .medium : .low, .server) }
        return nil
    }
}
