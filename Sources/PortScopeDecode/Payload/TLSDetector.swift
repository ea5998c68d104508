/// TLS, RFC 8446 / 5246: a record header, and in a handshake record the ClientHello (its SNI,
/// RFC 6066, and ALPN, RFC 7301) or ServerHello. A ClientHello longer than its segment (post-
/// quantum key shares make them about 1.8 KB) says where its record ends, so the flow can
/// join the segments that follow and read the whole hello (`helloRecordEnd`).
enum TLSDetector {
    static let handshake: UInt8 = 0x16
    static let clientHello: UInt8 = 1
    static let serverHello: UInt8 = 2

    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        // Record: content type (change_cipher_spec … application_data), version 3.x, length.
        guard p.count >= 5, (0x14...0x17).contains(p.byte(at: 0)), p.byte(at: 1) == 3, p.byte(at: 2) <= 4 else { return nil }
        let recordLength = Int(p.load(bigEndian: UInt16.self, at: 3))
        guard recordLength > 0, recordLength <= 16384 + 2048 else { return nil }
        guard p.byte(at: 0) == handshake, p.count >= 6 else { return PayloadDetection(.tls, .medium, .unknown) }
        switch p.byte(at: 5) {
        case clientHello: return hello(p, recordEnd: 5 + recordLength)
        case serverHello: return PayloadDetection(.tls, .high, .server)
        default: return PayloadDetection(.tls, .medium, .unknown)
        }
    }

    /// A ClientHello from offset 5 in a record ending at `recordEnd`: fields validated as far as
    /// they were captured.
    private static func hello(_ p: UnsafeRawBufferPointer, recordEnd: Int) -> PayloadDetection {
        var found = PayloadDetection(.tls, .high, .client)
        found.helloRecordEnd = recordEnd
        let end = min(p.count, recordEnd)
        // Handshake header (type, 24-bit length), client_version 3.x, random (32).
        guard end >= 11 else { return found }
        guard p.byte(at: 9) == 3 else { return PayloadDetection(.tls, .medium, .unknown) }
        var offset = 43
        guard offset < end else { return found }
        offset += 1 + Int(p.byte(at: offset))  // session id
        guard offset + 2 <= end else { return found }
        offset += 2 + Int(p.load(bigEndian: UInt16.self, at: offset))  // cipher suites
        guard offset < end else { return found }
        offset += 1 + Int(p.byte(at: offset))  // compression methods
        guard offset + 2 <= end else { return found }
        let extensionsEnd = min(recordEnd, offset + 2 + Int(p.load(bigEndian: UInt16.self, at: offset)))
        walkExtensions(p, from: offset + 2, to: extensionsEnd, into: &found)
        return found
    }

    /// Reads the extensions from the header at `start` up to `end` (which may lie beyond the
    /// payload) for SNI and ALPN, as far as they were captured.
    private static func walkExtensions(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int,
                                       into found: inout PayloadDetection) {
        var offset = start
        while offset + 4 <= min(end, p.count) {
            let type = TLSExtensionType(rawValue: p.load(bigEndian: UInt16.self, at: offset))
            let length = Int(p.load(bigEndian: UInt16.self, at: offset + 2))
            let body = offset + 4
            guard body + length <= end else { return }  // longer than the list: malformed
            offset = body + length
            if offset > p.count { return }  // goes on past what this payload holds
            if type == .serverName {
                found.name = serverName(p, body, body + length)
            } else if type == .alpn, length >= 2 {
                let listEnd = body + 2 + Int(p.load(bigEndian: UInt16.self, at: body))
                if listEnd <= body + length && listEnd > body + 2 { found.alpn = (body + 2)..<listEnd }
            }
        }
    }

    /// The first host_name entry of a server_name list.
    private static func serverName(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Range<Int>? {
        // list length (2), name type 0 (1), name length (2), name.
        guard start + 5 <= end, p.byte(at: start + 2) == 0 else { return nil }
        let length = Int(p.load(bigEndian: UInt16.self, at: start + 3))
        let name = (start + 5)..<(start + 5 + length)
        return length > 0 && name.upperBound <= end ? name : nil
    }
}
