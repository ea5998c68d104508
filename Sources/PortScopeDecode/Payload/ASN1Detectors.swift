/// Protocols whose messages are ASN.1 BER (X.690): a tag, a length that must agree with the
/// bytes, then fields whose tags and values only that protocol puts there.
extension UnsafeRawBufferPointer {
    /// A BER length at `offset` (short form, or long form of 1–4 bytes: Active Directory writes
    /// every LDAP length in 4): the content's length and where the content starts; nil when the
    /// length is cut or malformed.
    func berLength(at offset: Int) -> (length: Int, content: Int)? {
        guard offset < count else { return nil }
        let first = byte(at: offset)
        if first < 0x80 { return (Int(first), offset + 1) }
        let octets = Int(first & 0x7F)
        guard (1...4).contains(octets), offset + octets < count else { return nil }
        var length = 0
        for i in 1...octets { length = length << 8 | Int(byte(at: offset + i)) }
        return (length, offset + 1 + octets)
    }
}

/// Kerberos V5, RFC 4120 §5.4–5.9: AS-REQ/REP, TGS-REQ/REP and KRB-ERROR are APPLICATION 10–13
/// and 30, each a SEQUENCE whose first fields are `pvno [0|1] INTEGER 5` and `msg-type`. Over
/// TCP after a 4-byte length (§7.2.2).
enum KerberosDetector {
    static func detect(_ p: UnsafeRawBufferPointer, tcp: Bool) -> PayloadDetection? {
        let start = tcp ? 4 : 0
        guard p.count >= start + 12 else { return nil }
        if tcp { guard p.load(bigEndian: UInt32.self, at: 0) & 0x8000_0000 == 0 else { return nil } }
        let tag = p.byte(at: start)
        let role: PayloadRole
        switch tag {
        case 0x6A, 0x6C: role = .client  // AS-REQ, TGS-REQ
        case 0x6B, 0x6D, 0x7E: role = .server  // AS-REP, TGS-REP, KRB-ERROR
        default: return nil
        }
        guard let outer = p.berLength(at: start + 1), outer.content < p.count, p.byte(at: outer.content) == 0x30,
              let sequence = p.berLength(at: outer.content + 1) else { return nil }
        // The first field: pvno, [1] in requests and replies, [0] in KRB-ERROR; INTEGER 5.
        let field = sequence.content
        guard field + 5 <= p.count, p.byte(at: field) == 0xA0 || p.byte(at: field) == 0xA1,
              p.byte(at: field + 1) == 3, p.byte(at: field + 2) == 0x02, p.byte(at: field + 3) == 1, p.byte(at: field + 4) == 5
        else { return nil }
        return PayloadDetection(.kerberos, .high, role)
    }
}

/// LDAP, RFC 4511 §4.1.1: an LDAPMessage is a SEQUENCE of a messageID (INTEGER) and a protocolOp
/// whose APPLICATION tag names it (bind, search, modify, … request or response).
enum LDAPDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 7, p.byte(at: 0) == 0x30, let message = p.berLength(at: 1),
              message.content + 2 < p.count, p.byte(at: message.content) == 0x02 else { return nil }
        let idLength = Int(p.byte(at: message.content + 1))
        let op = message.content + 2 + idLength
        guard (1...4).contains(idLength), op < p.count else { return nil }
        switch p.byte(at: op) {
        case 0x60, 0x63, 0x66, 0x68, 0x6A, 0x6C, 0x6E, 0x77, 0x42, 0x50: return PayloadDetection(.ldap, .high, .client)
        case 0x61, 0x64, 0x65, 0x67, 0x69, 0x6B, 0x6D, 0x6F, 0x73, 0x78: return PayloadDetection(.ldap, .high, .server)
        default: return nil
        }
    }
}

/// SNMP v1 and v2c, RFC 1157 / RFC 3416: a SEQUENCE of version (INTEGER 0 or 1), community
/// (OCTET STRING) and a PDU (context tags 0–8); v3 (RFC 3412) has version 3 and a header
/// SEQUENCE instead of the community.
enum SNMPDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 8, p.byte(at: 0) == 0x30, let message = p.berLength(at: 1) else { return nil }
        let version = message.content
        guard version + 3 <= p.count, p.byte(at: version) == 0x02, p.byte(at: version + 1) == 1 else { return nil }
        switch p.byte(at: version + 2) {
        case 0, 1:
            let community = version + 3
            guard community + 1 < p.count, p.byte(at: community) == 0x04 else { return nil }
            let pdu = community + 2 + Int(p.byte(at: community + 1))
            guard pdu < p.count else { return community + 2 <= p.count ? PayloadDetection(.snmp, .medium, .unknown) : nil }
            switch p.byte(at: pdu) {
            case 0xA0, 0xA1, 0xA3, 0xA5, 0xA4, 0xA6, 0xA7: return PayloadDetection(.snmp, .high, .client)  // requests, traps
            case 0xA2, 0xA8: return PayloadDetection(.snmp, .high, .server)  // response, report
            default: return nil
            }
        case 3:
            guard version + 3 < p.count, p.byte(at: version + 3) == 0x30 else { return nil }
            return PayloadDetection(.snmp, .medium, .unknown)
        default:
            return nil
        }
    }
}
