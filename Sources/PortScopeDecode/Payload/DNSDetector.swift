/// The DNS message format (RFC 1035 §4.1) and the protocols that share it: mDNS (RFC 6762, port
/// 5353), LLMNR (RFC 4795, port 5355) and NetBIOS name service (RFC 1002, names encoded as 32
/// letters A–P). Over TCP each message follows a 2-byte length. Recognised by a sane header and
/// the first question (or, with none, the first answer) parsed to its class.
enum DNSDetector {
    static let headerLength = 12

    static func udp(_ p: UnsafeRawBufferPointer, _ context: PayloadContext) -> PayloadDetection? {
        message(p, from: 0, context)
    }

    /// A message longer than its segment goes on in the next ones, which only a full-sized
    /// segment does: at least the smallest default MSS (RFC 9293 §3.7.1), 536 bytes.
    static let fullSegment = 536

    /// Over TCP, the length prefix must agree with the segment: the message fits in it (what
    /// follows is the next message), or the segment is full-sized and the message goes on. A
    /// 16-byte message whose first two bytes read 1042 is no DNS (OpenFlow's header looks so).
    static func tcp(_ p: UnsafeRawBufferPointer, _ context: PayloadContext) -> PayloadDetection? {
        guard p.count >= 2 + headerLength else { return nil }
        let length = Int(p.load(bigEndian: UInt16.self, at: 0)), segment = context.wireLength ?? p.count
        guard length >= headerLength, 2 + length <= segment || segment >= fullSegment else { return nil }
        return message(p, from: 2, context)
    }

    private static func message(_ p: UnsafeRawBufferPointer, from start: Int, _ context: PayloadContext) -> PayloadDetection? {
        guard p.count >= start + headerLength else { return nil }
        let flags = p.load(bigEndian: UInt16.self, at: start + 2)
        let opcode = (flags >> 11) & 0xF, rcode = flags & 0xF
        let questions = p.load(bigEndian: UInt16.self, at: start + 4), answers = p.load(bigEndian: UInt16.self, at: start + 6)
        let authority = p.load(bigEndian: UInt16.self, at: start + 8), additional = p.load(bigEndian: UInt16.self, at: start + 10)
        guard questions <= 16, answers <= 512, authority <= 512, additional <= 512, rcode <= 10,
              questions > 0 || answers > 0 else { return nil }
        let role: PayloadRole = flags & 0x8000 == 0 ? .client : .server
        guard let name = firstName(p, from: start + headerLength) else { return nil }
        let netbios = isNetBIOSName(p, at: name.start) || context.involves(137)
        // Query, inverse query, status, notify, update; NetBIOS adds 7 (WACK) and 8 (refresh).
        let opcodes: UInt16 = netbios ? 0b1_1111_0111 : 0b111_0111
        guard opcodes & (1 << opcode) != 0 else { return nil }
        let proto: AppProtocol = netbios ? .nbns : context.involves(5353) ? .mdns : context.involves(5355) ? .llmnr : .dns
        // Type and class after the name; a record adds TTL and data length.
        guard name.complete, name.end + (questions > 0 ? 4 : 10) <= p.count else { return PayloadDetection(proto, .medium, role) }
        let type = p.load(bigEndian: UInt16.self, at: name.end), dnsClass = p.load(bigEndian: UInt16.self, at: name.end + 2) & 0x7FFF
        // IN, CH, HS, NONE, ANY.
        guard type != 0, dnsClass == 1 || dnsClass == 3 || dnsClass == 4 || dnsClass == 254 || dnsClass == 255 else { return nil }
        return PayloadDetection(proto, .high, role)
    }

    /// An uncompressed name of 1–63-byte labels ending in a zero byte (the root alone counts),
    /// at most 255 bytes: where it starts and ends and its label count. `complete` is false
    /// when the capture cut it after its first label began. Nil when it is not a name.
    private static func firstName(_ p: UnsafeRawBufferPointer, from start: Int)
        -> (start: Int, end: Int, labels: Int, complete: Bool)? {
        var offset = start, labels = 0
        while offset < p.count {
            let length = Int(p.byte(at: offset))
            if length == 0 { return (start, offset + 1, labels, true) }
            guard length <= 63, offset + 1 + length - start <= 255 else { return nil }
            labels += 1
            offset += 1 + length
        }
        return labels > 0 ? (start, p.count, labels, false) : nil
    }

    /// A first label of 32 letters A–P (as far as captured): a NetBIOS name, RFC 1001 §14.1.
    private static func isNetBIOSName(_ p: UnsafeRawBufferPointer, at start: Int) -> Bool {
        guard p.byte(at: start) == 32 else { return false }
        for i in (start + 1)..<min(p.count, start + 33) where !(0x41...0x50).contains(p.byte(at: i)) { return false }
        return true
    }
}
