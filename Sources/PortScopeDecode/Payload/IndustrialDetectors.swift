/// Modbus/TCP (Modbus Messaging on TCP/IP Implementation Guide v1.0b, §3.1.3): the MBAP header
/// — transaction id, protocol id 0, a length that counts the unit id and the PDU, the unit id —
/// then a function code (1–127; +128 in an exception response). Requests and responses share
/// the shape: a loose one, medium on port 502.
enum ModbusDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 8, p.load(bigEndian: UInt16.self, at: 2) == 0 else { return nil }
        let length = Int(p.load(bigEndian: UInt16.self, at: 4))
        let function = p.byte(at: 7) & 0x7F
        guard length >= 2, length <= 254, length == p.count - 6, (1...0x2B).contains(function) else { return nil }
        return PayloadDetection(.modbus, .low, .unknown)
    }
}

/// S7comm (Siemens S7, over ISO-on-TCP, RFC 1006): TPKT version 3, a COTP data TPDU (length
/// indicator 2, code 0xF0), then the S7 header's protocol id 0x32 and its ROSCTR (1 job, 2 ack,
/// 3 ack-data, 7 userdata).
enum S7Detector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 9, p.byte(at: 0) == 3, p.byte(at: 1) == 0, Int(p.load(bigEndian: UInt16.self, at: 2)) >= 9,
              p.byte(at: 4) == 2, p.byte(at: 5) == 0xF0, p.byte(at: 7) == 0x32 else { return nil }
        switch p.byte(at: 8) {
        case 1: return PayloadDetection(.s7comm, .high, .client)
        case 2, 3: return PayloadDetection(.s7comm, .high, .server)
        case 7: return PayloadDetection(.s7comm, .high, .unknown)
        default: return nil
        }
    }
}
