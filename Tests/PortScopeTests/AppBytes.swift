/// Payloads that look like what runs on well-known ports, for made-up traffic: a TLS
/// ClientHello and ServerHello on 443, HTTP on 80 and 8080, SSH banners on 22, a MySQL greeting
/// on 3306, DNS on 53 and 5353, NTP on 123, DHCP on 67 and 68. Padded with zeros (or cut) to the
/// size asked for, so tests keep their byte counts. Other ports get zeros.
enum AppBytes {
    static func request(_ transport: String, port: Int, size: Int) -> [UInt8] {
        fit(requestBytes(transport, port), size)
    }

    static func response(_ transport: String, port: Int, size: Int) -> [UInt8] {
        fit(responseBytes(transport, port), size)
    }

    /// A lone datagram from `sport` to `dport`: a request when `dport` is a known service, a
    /// DHCP reply from 67; else zeros.
    static func datagram(sport: Int, dport: Int, size: Int) -> [UInt8] {
        let request = requestBytes("udp", dport)
        return fit(request.isEmpty && sport == 67 ? dhcp(op: 2) : request, size)
    }

    private static func fit(_ bytes: [UInt8], _ size: Int) -> [UInt8] {
        Array(bytes.prefix(size)) + [UInt8](repeating: 0, count: max(0, size - bytes.count))
    }

    private static func requestBytes(_ transport: String, _ port: Int) -> [UInt8] {
        switch (transport, port) {
        case ("tcp", 443): tlsClientHello(serverName: "example.test")
        case ("tcp", 80), ("tcp", 8080): Array("GET / HTTP/1.1\r\nHost: example.test\r\n\r\n".utf8)
        case ("tcp", 22): Array("SSH-2.0-OpenSSH_9.2\r\n".utf8)
        case ("tcp", 21): Array("SYST\r\n".utf8)
        case ("tcp", 3306): [0x20, 0, 0, 1, 0x85, 0xA6, 0x3F, 0]  // HandshakeResponse41, sequence 1
        case ("udp", 53), ("udp", 5353): dnsQuery(flags: 0x0100)
        case ("udp", 123): [0x23] + [UInt8](repeating: 0, count: 47)  // NTPv4, mode 3 (client)
        case ("udp", 67): dhcp(op: 1)
        case ("udp", 161): snmp(pdu: 0xA0)  // get-request
        default: []
        }
    }

    private static func responseBytes(_ transport: String, _ port: Int) -> [UInt8] {
        switch (transport, port) {
        case ("tcp", 443): [0x16, 3, 3, 0, 42, 0x02, 0, 0, 38, 3, 3] + [UInt8](repeating: 0, count: 36)  // ServerHello
        case ("tcp", 80), ("tcp", 8080): Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
        case ("tcp", 22): Array("SSH-2.0-OpenSSH_9.6\r\n".utf8)
        case ("tcp", 21): Array("215 UNIX Type: L8\r\n".utf8)
        case ("tcp", 3306): [0x4A, 0, 0, 0, 10] + Array("8.0.36".utf8) + [0] + [UInt8](repeating: 1, count: 60)  // greeting v10
        case ("udp", 53), ("udp", 5353): dnsQuery(flags: 0x8180)
        case ("udp", 123): [0x24, 2] + [UInt8](repeating: 0, count: 46)  // NTPv4, mode 4 (server), stratum 2
        case ("udp", 67), ("udp", 68): dhcp(op: 2)
        case ("udp", 161): snmp(pdu: 0xA2)  // response
        default: []
        }
    }

    /// A DNS message with one question, `example.test` A IN (flags 0x0100: query; 0x8180: response).
    static func dnsQuery(flags: UInt16) -> [UInt8] {
        [0x12, 0x34, UInt8(flags >> 8), UInt8(flags & 0xFF), 0, 1, 0, 0, 0, 0, 0, 0]
            + [7] + Array("example".utf8) + [4] + Array("test".utf8) + [0, 0, 1, 0, 1]
    }

    /// A DHCP message (op 1 request, 2 reply) of 240 bytes: Ethernet addresses, the magic cookie.
    static func dhcp(op: UInt8) -> [UInt8] {
        [op, 1, 6, 0] + [UInt8](repeating: 0, count: 232) + [0x63, 0x82, 0x53, 0x63]
    }

    /// A TLS 1.2 record holding a ClientHello with one cipher suite and a server_name extension.
    static func tlsClientHello(serverName: String) -> [UInt8] {
        let name = Array(serverName.utf8)
        let sni = TrafficCapture.big16(0) + TrafficCapture.big16(name.count + 5) + TrafficCapture.big16(name.count + 3) + [0] + TrafficCapture.big16(name.count) + name
        let hello = [3, 3] + [UInt8](repeating: 7, count: 32) + [0] + TrafficCapture.big16(2) + [0x13, 0x01] + [1, 0] + TrafficCapture.big16(sni.count) + sni
        return [0x16, 3, 1] + TrafficCapture.big16(hello.count + 4) + [1, 0] + TrafficCapture.big16(hello.count) + hello
    }

    /// SNMPv2c with community "public" and an empty variable list (RFC 3416).
    static func snmp(pdu: UInt8) -> [UInt8] {
        [0x30, 0x19, 0x02, 0x01, 0x01, 0x04, 0x06] + Array("public".utf8) + [pdu, 0x0C, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00]
    }
}
