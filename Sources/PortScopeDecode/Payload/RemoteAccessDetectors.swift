/// RFB (VNC), RFC 6143 §7.1.1: the server first sends `RFB 003.008\n` (12 bytes), and the client
/// answers with a version of the same form.
enum RFBDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 12, p.matches("RFB "), p.byte(at: 7) == UInt8(ascii: "."), p.byte(at: 11) == 0x0A,
              (4..<7).allSatisfy({ isDigit(p.byte(at: $0)) }), (8..<11).allSatisfy({ isDigit(p.byte(at: $0)) }) else { return nil }
        return PayloadDetection(.rfb, .high, .serverIfFirst)
    }
}

/// Telnet, RFC 854/855: option negotiation, IAC (255) then WILL, WONT, DO or DONT (251–254) and
/// an option code. Two such commands in a row are Telnet; one alone is a loose shape.
enum TelnetDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        func command(at i: Int) -> Bool { i + 2 < p.count && p.byte(at: i) == 0xFF && (0xFB...0xFE).contains(p.byte(at: i + 1)) }
        guard p.count >= 3, command(at: 0) else { return nil }
        return PayloadDetection(.telnet, p.count >= 6 && command(at: 3) ? .high : .low, .serverIfFirst)
    }
}

/// IRC, RFC 2812 §3.1: a client registers with `NICK`, `CAP LS`, or `USER` with its trailing
/// real name (`USER alice 0 * :Alice`; FTP's and POP3's `USER` has none); a server's
/// messages start with its prefix and a command or three-digit reply (`:irc.example 001 …`).
enum IRCDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 6, let end = p.lineEnd(from: 0, limit: 512) else { return nil }
        if p.matches("NICK ") || p.matches("CAP LS") || (p.matches("USER ") && p.find(" :", in: 5..<end) != nil) {
            return PayloadDetection(.irc, .medium, .client)
        }
        guard p.byte(at: 0) == UInt8(ascii: ":"), let space = p.find(" ", in: 1..<end), space > 1, space + 4 < end else { return nil }
        let reply = (space + 1..<space + 4).allSatisfy { isDigit(p.byte(at: $0)) } && p.byte(at: space + 4) == UInt8(ascii: " ")
        guard reply || p.matches("NOTICE ", at: space + 1) else { return nil }
        return PayloadDetection(.irc, .medium, .server)
    }
}

/// DCE/RPC connection-oriented PDUs (C706 §12.6, as MS-RPCE uses them): version 5, minor 0 or 1,
/// a packet type, flags, a data representation (integer order byte 0x10 or 0x00), and a
/// fragment length at least the 16-byte header.
enum DCERPCDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 16, p.byte(at: 0) == 5, p.byte(at: 1) <= 1, p.byte(at: 4) & 0xEF == 0,
              p.byte(at: 5) == 0, p.byte(at: 6) == 0, p.byte(at: 7) == 0 else { return nil }
        let littleEndian = p.byte(at: 4) == 0x10
        let raw = p.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        let fragmentLength = Int(littleEndian ? UInt16(littleEndian: raw) : UInt16(bigEndian: raw))
        guard fragmentLength >= 16 else { return nil }
        switch p.byte(at: 2) {
        case 0, 11, 14: return PayloadDetection(.dcerpc, .high, .client)  // request, bind, alter_context
        case 2, 12, 13, 15: return PayloadDetection(.dcerpc, .high, .server)  // response, bind_ack, bind_nak, alter_context_resp
        default: return nil
        }
    }
}
