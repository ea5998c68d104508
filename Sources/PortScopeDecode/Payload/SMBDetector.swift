/// SMB over NetBIOS session service or direct TCP (RFC 1002 §4.3, MS-SMB2 §2.1): a 4-byte
/// session header, then the SMB header's protocol id: `\xFESMB` (SMB 2/3), `\xFFSMB` (SMB1),
/// `\xFDSMB` (SMB 3 encrypted), `\xFCSMB` (compressed). A NetBIOS session request opens port 139.
enum SMBDetector {
    static let sessionMessage: UInt8 = 0x00
    static let sessionRequest: UInt8 = 0x81

    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 8 else { return nil }
        if p.byte(at: 0) == sessionRequest, p.byte(at: 1) == 0, p.load(bigEndian: UInt16.self, at: 2) == 68 {
            return PayloadDetection(.smb, .medium, .client)  // two encoded NetBIOS names of 34 bytes
        }
        guard p.byte(at: 0) == sessionMessage, p.matches("SMB", at: 5) else { return nil }
        switch p.byte(at: 4) {
        case 0xFE:
            // SMB2 header: Flags (little-endian) at 16; SERVER_TO_REDIR marks a response.
            guard p.count >= 4 + 20 else { return PayloadDetection(.smb, .high, .unknown) }
            return PayloadDetection(.smb, .high, p.byte(at: 4 + 16) & 0x01 != 0 ? .server : .client)
        case 0xFF:
            // SMB1 header: Flags at 9; 0x80 marks a reply.
            guard p.count >= 4 + 10 else { return PayloadDetection(.smb, .high, .unknown) }
            return PayloadDetection(.smb, .high, p.byte(at: 4 + 9) & 0x80 != 0 ? .server : .client)
        case 0xFD, 0xFC:
            return PayloadDetection(.smb, .high, .unknown)
        default:
            return nil
        }
    }
}
