/// MySQL's server greeting (Protocol::HandshakeV10): a 3-byte little-endian length, sequence 0,
/// protocol version 10, then the server version as a NUL-terminated string.
enum MySQLDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 7, p.byte(at: 3) == 0, p.byte(at: 4) == 10, isDigit(p.byte(at: 5)) else { return nil }
        let length = Int(p.byte(at: 0)) | Int(p.byte(at: 1)) << 8 | Int(p.byte(at: 2)) << 16
        guard (30...1024).contains(length) else { return nil }
        let versionEnd = p.skip(from: 5, limit: 64) { (0x20...0x7E).contains($0) }
        if versionEnd == p.count { return PayloadDetection(.mysql, .medium, .server) }  // cut by the capture
        return p.byte(at: versionEnd) == 0 ? PayloadDetection(.mysql, .high, .server) : nil
    }
}

/// PostgreSQL's first client message (frontend/backend protocol): an SSLRequest or GSSENCRequest
/// (length 8 and a magic code), a CancelRequest (length 16), or a StartupMessage for protocol 3.0
/// followed by `name\0value\0` parameters.
enum PostgreSQLDetector {
    static let protocol3: UInt32 = 196_608
    static let sslRequest: UInt32 = 80_877_103
    static let gssEncryptionRequest: UInt32 = 80_877_104
    static let cancelRequest: UInt32 = 80_877_102

    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 8 else { return nil }
        let length = p.load(bigEndian: UInt32.self, at: 0), code = p.load(bigEndian: UInt32.self, at: 4)
        switch code {
        case sslRequest, gssEncryptionRequest:
            return length == 8 ? PayloadDetection(.postgresql, .high, .client) : nil
        case cancelRequest:
            return length == 16 ? PayloadDetection(.postgresql, .high, .client) : nil
        case protocol3:
            guard (9...10_000).contains(length), p.count > 8 else { return nil }
            let name = p.skip(from: 8, limit: 64) { (0x61...0x7A).contains($0) || $0 == 0x5F }
            if name == p.count { return PayloadDetection(.postgresql, .medium, .client) }
            return name > 8 && p.byte(at: name) == 0 ? PayloadDetection(.postgresql, .high, .client) : nil
        default:
            return nil
        }
    }
}
