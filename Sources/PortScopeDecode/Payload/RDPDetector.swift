/// RDP's first bytes (MS-RDPBCGR §2.2.1.1–2): TPKT (RFC 1006) with an X.224 Connection Request
/// carrying `Cookie: mstshash=` or an RDP negotiation request, or a Connection Confirm with an
/// RDP negotiation response. Plain TPKT without these (ISO-TSAP, S7) is not RDP.
enum RDPDetector {
    static let connectionRequest: UInt8 = 0xE0
    static let connectionConfirm: UInt8 = 0xD0

    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        // TPKT version 3, reserved 0, length; X.224 length indicator, code.
        guard p.count >= 11, p.byte(at: 0) == 3, p.byte(at: 1) == 0 else { return nil }
        let length = Int(p.load(bigEndian: UInt16.self, at: 2))
        let x224End = 5 + Int(p.byte(at: 4))
        guard length >= 11, x224End <= length else { return nil }
        let code = p.byte(at: 5) & 0xF0
        // The negotiation structure (type, flags, length 8, 4 bytes) ends the X.224 TPDU.
        let negotiation = x224End - 8
        let negotiationType: UInt8? = negotiation >= 11 && x224End <= p.count
            && p.byte(at: negotiation + 2) == 8 && p.byte(at: negotiation + 3) == 0 ? p.byte(at: negotiation) : nil
        switch code {
        case connectionRequest:
            if p.matches("Cookie: mstshash=", at: 11) || negotiationType == 1 { return PayloadDetection(.rdp, .high, .client) }
            if p.matches("Cookie:", at: 11) { return PayloadDetection(.rdp, .medium, .client) }
            return nil
        case connectionConfirm:
            return negotiationType == 2 || negotiationType == 3 ? PayloadDetection(.rdp, .high, .server) : nil
        default:
            return nil
        }
    }
}
