import PortScopeDecode
import PortScopeFlows
import Testing

/// One detector case: bytes on a transport and ports, and what must come of them.
struct DetectorCase: CustomTestStringConvertible, Sendable {
    var label: String
    var transport: IPProtocol
    var ports: (source: UInt16, destination: UInt16)
    var bytes: [UInt8]
    /// nil: no detection (a near miss).
    var expected: (AppProtocol, DetectionConfidence, PayloadRole)?
    var testDescription: String { label }

    init(_ label: String, _ transport: IPProtocol, _ source: UInt16, _ destination: UInt16, _ bytes: [UInt8],
         _ expected: (AppProtocol, DetectionConfidence, PayloadRole)?) {
        (self.label, self.transport, ports, self.bytes, self.expected) = (label, transport, (source, destination), bytes, expected)
    }

    func detect(_ prefix: Int? = nil) -> PayloadDetection? {
        let context = PayloadContext(transport: transport, sourcePort: ports.source, destinationPort: ports.destination)
        return Array(bytes.prefix(prefix ?? bytes.count)).withUnsafeBytes { PayloadDetector.detect($0, context) }
    }
}

/// An Ethernet header (unicast to 02:00:00:00:00:02 from …:01, IPv4) and the start of an IPv4 header.
let innerEthernet = hex("020000000002 020000000001 0800 45000054 0000 4000 4001")

func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
func zeros(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: n) }
let be16 = TrafficCapture.big16

/// Every detector on bytes written from its specification, and near misses that must not match.
/// Ports are arbitrary (50000/50001) unless the case is about the port.
let detectorCases: [DetectorCase] = [
    // TLS: ClientHello with SNI; ServerHello; application data (mid-stream); wrong version byte.
    DetectorCase("tls client hello", .tcp, 50000, 50001, AppBytes.tlsClientHello(serverName: "a.test"), (.tls, .high, .client)),
    DetectorCase("tls server hello", .tcp, 50000, 50001, hex("16 0303 002a 02 000026 0303") + zeros(36), (.tls, .high, .server)),
    DetectorCase("tls application data", .tcp, 50000, 50001, hex("17 0303 0020") + zeros(32), (.tls, .medium, .unknown)),
    DetectorCase("tls near miss: version 2.x", .tcp, 50000, 50001, hex("16 0203 0020 01") + zeros(32), nil),
    DetectorCase("tls near miss: record too long", .tcp, 50000, 50001, hex("17 0303 ffff") + zeros(32), nil),
    // HTTP: request with Host; response; request cut before the line ends; HTTP/2 preface.
    DetectorCase("http request", .tcp, 50000, 8081, ascii("GET /x HTTP/1.1\r\nHost: h.test\r\n\r\n"), (.http, .high, .client)),
    DetectorCase("http response", .tcp, 8081, 50000, ascii("HTTP/1.1 404 Not Found\r\n"), (.http, .high, .server)),
    DetectorCase("http request cut", .tcp, 50000, 8081, ascii("POST /upload?id=1"), (.http, .medium, .client)),
    DetectorCase("http/0.9 request", .tcp, 50000, 80, ascii("GET /bad.html\r\n"), (.http, .medium, .client)),
    DetectorCase("http near miss: 0.9 form with a space", .tcp, 50000, 80, ascii("GET /a b\r\n"), nil),
    DetectorCase("http2 preface", .tcp, 50000, 80, ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), (.http2, .high, .client)),
    DetectorCase("http near miss: lower-case method", .tcp, 50000, 80, ascii("get / HTTP/1.1\r\n\r\n"), nil),
    DetectorCase("http near miss: RTSP", .tcp, 50000, 554, ascii("OPTIONS rtsp://cam/ RTSP/1.0\r\n\r\n"), nil),
    DetectorCase("http near miss: status without code", .tcp, 80, 50000, ascii("HTTP/1.1 OK\r\n"), nil),
    // SSH banners; an SSH-like word.
    DetectorCase("ssh banner", .tcp, 22, 50000, ascii("SSH-2.0-OpenSSH_9.6\r\n"), (.ssh, .high, .serverIfFirst)),
    DetectorCase("ssh 1.99 banner", .tcp, 22, 50000, ascii("SSH-1.99-Cisco-1.25\r\n"), (.ssh, .high, .serverIfFirst)),
    DetectorCase("ssh near miss", .tcp, 22, 50000, ascii("SSH-3.0-x\r\n"), nil),
    // DNS over UDP: query, response; mDNS, LLMNR by port; NetBIOS by its name encoding; over TCP.
    DetectorCase("dns query", .udp, 50000, 5300, AppBytes.dnsQuery(flags: 0x0100), (.dns, .high, .client)),
    DetectorCase("dns response", .udp, 53, 50000, AppBytes.dnsQuery(flags: 0x8180), (.dns, .high, .server)),
    DetectorCase("mdns query", .udp, 5353, 5353, AppBytes.dnsQuery(flags: 0), (.mdns, .high, .client)),
    DetectorCase("llmnr query", .udp, 50000, 5355, AppBytes.dnsQuery(flags: 0), (.llmnr, .high, .client)),
    DetectorCase("nbns query", .udp, 137, 137, hex("8001 0110 0001 0000 0000 0000 20") + ascii("FHEPFCELEHFCEPFFFACACACACACACAAA")
                 + hex("00 0020 0001"), (.nbns, .high, .client)),
    DetectorCase("dns over tcp", .tcp, 50000, 53, be16(AppBytes.dnsQuery(flags: 0x0100).count) + AppBytes.dnsQuery(flags: 0x0100), (.dns, .high, .client)),
    // A message longer than its segment goes on only from a full-sized segment (≥ 536 bytes).
    DetectorCase("dns over tcp spanning segments", .tcp, 53, 50000, be16(3000) + AppBytes.dnsQuery(flags: 0x8180) + zeros(1400), (.dns, .high, .server)),
    // OpenFlow 1.3 multipart request (version 4, type 18, length 16): its first bytes read as a
    // DNS length of 1042, which a 16-byte segment cannot hold.
    DetectorCase("dns near miss: openflow header", .tcp, 50000, 6653, hex("0412 0010 00000001 0001 0000 00000000"), nil),
    DetectorCase("dns cut in the name", .udp, 50000, 53, Array(AppBytes.dnsQuery(flags: 0x0100).prefix(16)), (.dns, .medium, .client)),
    DetectorCase("dns near miss: label over 63", .udp, 50000, 53, hex("1234 0100 0001 0000 0000 0000 40") + zeros(70), nil),
    DetectorCase("dns near miss: opcode 3", .udp, 50000, 53, hex("1234 1900 0001 0000 0000 0000 0161 00 0001 0001"), nil),
    DetectorCase("dns near miss: class 9", .udp, 50000, 53, hex("1234 0100 0001 0000 0000 0000 0161 00 0001 0009"), nil),
    // QUIC long headers: v1 Initial, version negotiation, Google QUIC; a short header.
    DetectorCase("quic v1 initial", .udp, 50000, 443, hex("c3 00000001 08 0102030405060708 00 00 4496") + zeros(1180), (.quic, .high, .unknown)),
    DetectorCase("quic version negotiation", .udp, 443, 50000, hex("80 00000000 00 08 0102030405060708 00000001"), (.quic, .medium, .unknown)),
    DetectorCase("gquic Q050", .udp, 50000, 443, hex("c3") + ascii("Q050") + hex("08 0102030405060708 00") + zeros(40), (.quic, .high, .unknown)),
    DetectorCase("quic near miss: unknown version", .udp, 50000, 443, hex("c3 12345678 08 0102030405060708 00") + zeros(40), nil),
    DetectorCase("quic near miss: connection id over 20", .udp, 50000, 443, hex("c3 00000001 30") + zeros(60), nil),
    // Mail and FTP: greetings and commands.
    DetectorCase("smtp greeting", .tcp, 2525, 50000, ascii("220 mx.test ESMTP Postfix\r\n"), (.smtp, .high, .server)),
    DetectorCase("smtp ehlo", .tcp, 50000, 2525, ascii("EHLO client.test\r\n"), (.smtp, .high, .client)),
    DetectorCase("ftp greeting", .tcp, 2121, 50000, ascii("220 (vsFTPd 3.0.3)\r\n"), (.ftp, .high, .server)),
    DetectorCase("ftp bare 220 on 21", .tcp, 21, 50000, ascii("220 Welcome\r\n"), (.ftp, .medium, .server)),
    DetectorCase("bare 220 elsewhere", .tcp, 2121, 50000, ascii("220 Welcome\r\n"), nil),
    DetectorCase("ftp command", .tcp, 50000, 2121, ascii("SYST\r\n"), (.ftp, .high, .client)),
    DetectorCase("pop3 greeting", .tcp, 110, 50000, ascii("+OK POP3 server ready\r\n"), (.pop3, .high, .server)),
    DetectorCase("pop3 capa", .tcp, 50000, 110, ascii("CAPA\r\n"), (.pop3, .high, .client)),
    DetectorCase("imap greeting", .tcp, 143, 50000, ascii("* OK [CAPABILITY IMAP4rev1] ready\r\n"), (.imap, .high, .server)),
    DetectorCase("imap login", .tcp, 50000, 143, ascii("a001 LOGIN user pass\r\n"), (.imap, .high, .client)),
    DetectorCase("mail near miss: binary after 220", .tcp, 25, 50000, ascii("220 ") + [0x01, 0x02, 0x0D, 0x0A], nil),
    DetectorCase("mail near miss: USER is FTP's and POP3's", .tcp, 50000, 2121, ascii("USER bob\r\n"), nil),
    // SMB over NetBIOS session / direct TCP: SMB2 request and response, SMB1, encrypted, session request.
    DetectorCase("smb2 request", .tcp, 50000, 445, hex("00000044 fe534d42 4000 0000 00000000 0000 0100 00000000") + zeros(44), (.smb, .high, .client)),
    DetectorCase("smb2 response", .tcp, 445, 50000, hex("00000044 fe534d42 4000 0000 00000000 0000 0100 01000000") + zeros(44), (.smb, .high, .server)),
    DetectorCase("smb1 request", .tcp, 50000, 139, hex("00000023 ff534d42 72 00000000 18") + zeros(22), (.smb, .high, .client)),
    DetectorCase("smb3 encrypted", .tcp, 445, 50000, hex("00000044 fd534d42") + zeros(60), (.smb, .high, .unknown)),
    DetectorCase("netbios session request", .tcp, 50000, 139, hex("81000044") + zeros(68), (.smb, .medium, .client)),
    DetectorCase("smb near miss", .tcp, 50000, 445, hex("00000044 fe534d43") + zeros(60), nil),
    // RDP: X.224 connection request with cookie and negotiation; confirm; S7's TPKT.
    DetectorCase("rdp connection request", .tcp, 50000, 3389,
                 hex("0300 002f 2a e0 0000 0000 00") + ascii("Cookie: mstshash=admin\r\n") + hex("01 00 0800 03000000"), (.rdp, .high, .client)),
    DetectorCase("rdp connection confirm", .tcp, 3389, 50000, hex("0300 0013 0e d0 0000 1234 00 02 00 0800 01000000"), (.rdp, .high, .server)),
    DetectorCase("rdp near miss: ISO-TSAP (S7)", .tcp, 50000, 102, hex("0300 0016 11 e0 0000 0001 00 c1 02 0100 c2 02 0102 c0 01 0a"), nil),
    // Databases.
    DetectorCase("mysql greeting", .tcp, 3306, 50000, hex("4a0000 00 0a") + ascii("8.0.36") + [0] + zeros(60), (.mysql, .high, .server)),
    DetectorCase("mysql near miss: protocol 9", .tcp, 3306, 50000, hex("4a0000 00 09") + ascii("8.0.36") + [0] + zeros(60), nil),
    DetectorCase("postgresql ssl request", .tcp, 50000, 5432, hex("00000008 04d2162f"), (.postgresql, .high, .client)),
    DetectorCase("postgresql startup", .tcp, 50000, 5432, hex("00000025 00030000") + ascii("user\0app\0database\0app\0\0"), (.postgresql, .high, .client)),
    DetectorCase("postgresql near miss: length 9 ssl", .tcp, 50000, 5432, hex("00000009 04d2162f 00"), nil),
    DetectorCase("redis command", .tcp, 50000, 6379, ascii("*1\r\n$4\r\nPING\r\n"), (.redis, .high, .client)),
    DetectorCase("redis near miss", .tcp, 50000, 6379, ascii("*x\r\n$4\r\nPING\r\n"), nil),
    // NTP, DHCP, SIP, SSDP.
    DetectorCase("ntp client", .udp, 50000, 123, [0x23] + zeros(47), (.ntp, .medium, .client)),
    DetectorCase("ntp shape off port", .udp, 50000, 50001, [0x24, 2] + zeros(46), (.ntp, .low, .server)),
    DetectorCase("ntp near miss: 47 bytes", .udp, 50000, 123, [0x23] + zeros(46), nil),
    DetectorCase("dhcp discover", .udp, 68, 67, AppBytes.dhcp(op: 1) + [53, 1, 1, 255], (.dhcp, .high, .client)),
    DetectorCase("dhcp near miss: no cookie", .udp, 68, 67, [1, 1, 6, 0] + zeros(300), nil),
    DetectorCase("sip invite", .udp, 5060, 5060, ascii("INVITE sip:bob@b.test SIP/2.0\r\nVia: x\r\n"), (.sip, .high, .client)),
    DetectorCase("sip response", .udp, 5060, 5060, ascii("SIP/2.0 180 Ringing\r\n"), (.sip, .high, .server)),
    DetectorCase("sip near miss: http target", .udp, 5060, 5060, ascii("OPTIONS http://x SIP/2.0\r\n"), nil),
    DetectorCase("ssdp search", .udp, 50000, 1900, ascii("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"), (.ssdp, .high, .client)),
    DetectorCase("ssdp notify", .udp, 1900, 1900, ascii("NOTIFY * HTTP/1.1\r\n"), (.ssdp, .high, .server)),
    // SOCKS, BitTorrent, OpenVPN, WireGuard, STUN.
    DetectorCase("socks5 greeting", .tcp, 50000, 1080, hex("05 02 00 02"), (.socks, .medium, .client)),
    DetectorCase("socks4 connect", .tcp, 50000, 9050, hex("04 01 0050 5db8d822") + ascii("me") + [0], (.socks, .low, .client)),
    DetectorCase("socks near miss: count disagrees", .tcp, 50000, 1080, hex("05 03 00 02"), nil),
    DetectorCase("bittorrent handshake", .tcp, 50000, 51413, [19] + ascii("BitTorrent protocol") + zeros(48), (.bittorrent, .high, .clientIfFirst)),
    DetectorCase("bittorrent dht query", .udp, 50000, 6881, ascii("d1:ad2:id20:abcdefghij0123456789e1:q4:pinge"), (.bittorrent, .high, .client)),
    DetectorCase("openvpn client reset", .udp, 50000, 1194, hex("38 0102030405060708 00 00000000"), (.openvpn, .medium, .client)),
    DetectorCase("openvpn over tcp", .tcp, 50000, 443, hex("000e 38 0102030405060708 00 00000000"), (.openvpn, .low, .client)),
    DetectorCase("openvpn near miss: key id 1", .udp, 50000, 1194, hex("39 0102030405060708 00 00000000"), nil),
    DetectorCase("wireguard initiation", .udp, 50000, 51820, hex("01000000") + zeros(144), (.wireguard, .medium, .client)),
    DetectorCase("wireguard response", .udp, 51820, 50000, hex("02000000") + zeros(88), (.wireguard, .medium, .server)),
    DetectorCase("wireguard near miss: 147 bytes", .udp, 50000, 51820, hex("01000000") + zeros(143), nil),
    DetectorCase("stun binding request", .udp, 50000, 3478, hex("0001 0000 2112a442") + zeros(12), (.stun, .high, .client)),
    DetectorCase("stun success", .udp, 3478, 50000, hex("0101 0008 2112a442") + zeros(12) + hex("0020 0004 01020304"), (.stun, .high, .server)),
    DetectorCase("stun near miss: length disagrees", .udp, 50000, 3478, hex("0001 0004 2112a442") + zeros(12), nil),
    // Kerberos: AS-REQ over UDP (APPLICATION 10, SEQUENCE, pvno [1] 5, msg-type [2] 10), over TCP
    // after its length; KRB-ERROR (APPLICATION 30, pvno [0] 5); a near miss with pvno 4.
    DetectorCase("kerberos as-req", .udp, 50000, 88, hex("6a 0c 30 0a a1 03 02 01 05 a2 03 02 01 0a"), (.kerberos, .high, .client)),
    DetectorCase("kerberos as-req over tcp", .tcp, 50000, 88, hex("0000000e 6a 0c 30 0a a1 03 02 01 05 a2 03 02 01 0a"), (.kerberos, .high, .client)),
    DetectorCase("kerberos error", .udp, 88, 50000, hex("7e 0c 30 0a a0 03 02 01 05 a1 03 02 01 1e"), (.kerberos, .high, .server)),
    DetectorCase("kerberos near miss: pvno 4", .udp, 50000, 88, hex("6a 0c 30 0a a1 03 02 01 04 a2 03 02 01 0a"), nil),
    // LDAP: a simple bind request (messageID 1, APPLICATION 0), a bind response, a near miss.
    DetectorCase("ldap bind request", .tcp, 50000, 389, hex("30 0c 02 01 01 60 07 02 01 03 04 00 80 00"), (.ldap, .high, .client)),
    DetectorCase("ldap bind response", .tcp, 389, 50000, hex("30 0c 02 01 01 61 07 0a 01 00 04 00 04 00"), (.ldap, .high, .server)),
    // Active Directory's search request: every length in four bytes (0x84).
    DetectorCase("ldap long lengths", .tcp, 50000, 389, hex("30 84 00000013 02 01 05 63 84 0000000a 04 00 0a 01 00 0a 01 00 02 01 00"), (.ldap, .high, .client)),
    DetectorCase("ldap near miss: no message id", .tcp, 50000, 389, hex("30 0c 04 01 01 60 07 02 01 03 04 00 80 00"), nil),
    // SNMP: v2c get-request with community "public", its response, v3, a near miss (version 2).
    DetectorCase("snmp get", .udp, 50000, 161, hex("30 19 02 01 01 04 06") + ascii("public") + hex("a0 0c 02 01 01 02 01 00 02 01 00 30 00"), (.snmp, .high, .client)),
    DetectorCase("snmp response", .udp, 161, 50000, hex("30 19 02 01 01 04 06") + ascii("public") + hex("a2 0c 02 01 01 02 01 00 02 01 00 30 00"), (.snmp, .high, .server)),
    DetectorCase("snmp v3", .udp, 50000, 161, hex("30 10 02 01 03 30 0b 02 01 01 02 02 05 dc 04 01 04 02 01 03"), (.snmp, .medium, .unknown)),
    DetectorCase("snmp near miss: version 2", .udp, 50000, 161, hex("30 19 02 01 02 04 06") + ascii("public") + hex("a0 0c 02 01 01 02 01 00 02 01 00 30 00"), nil),
    // DCE/RPC: a bind (little-endian), a bind_ack, a near miss (version 4).
    DetectorCase("dcerpc bind", .tcp, 50000, 135, hex("05 00 0b 03 10000000 4800 0000 01000000") + zeros(56), (.dcerpc, .high, .client)),
    DetectorCase("dcerpc bind ack", .tcp, 135, 50000, hex("05 00 0c 03 10000000 4400 0000 01000000") + zeros(52), (.dcerpc, .high, .server)),
    DetectorCase("dcerpc near miss: version 4", .tcp, 50000, 135, hex("04 00 0b 03 10000000 4800 0000 01000000") + zeros(56), nil),
    // RFB (VNC): the server's version; a near miss without the newline.
    DetectorCase("rfb version", .tcp, 5900, 50000, ascii("RFB 003.008\n"), (.rfb, .high, .serverIfFirst)),
    DetectorCase("rfb near miss", .tcp, 5900, 50000, ascii("RFB 003.008 "), nil),
    // Telnet: two option negotiations (DO terminal type, WILL echo); one alone; a near miss.
    DetectorCase("telnet negotiation", .tcp, 23, 50000, hex("fffd18 fffb01"), (.telnet, .high, .serverIfFirst)),
    DetectorCase("telnet one command", .tcp, 23, 50000, hex("fffd18"), (.telnet, .medium, .serverIfFirst)),  // low, raised on its port
    DetectorCase("telnet one command off its port", .tcp, 50001, 50000, hex("fffd18"), (.telnet, .low, .serverIfFirst)),
    DetectorCase("telnet near miss: not a negotiation", .tcp, 23, 50000, hex("fff018 fffb01"), nil),
    // IRC: a client's registration, a server's welcome reply, a near miss.
    DetectorCase("irc nick", .tcp, 50000, 6667, ascii("NICK alice\r\nUSER alice 0 * :Alice\r\n"), (.irc, .medium, .client)),
    DetectorCase("irc welcome", .tcp, 6667, 50000, ascii(":irc.example.net 001 alice :Welcome\r\n"), (.irc, .medium, .server)),
    DetectorCase("irc near miss: no reply code", .tcp, 6667, 50000, ascii(":irc.example.net HELLO alice\r\n"), nil),
    // Modbus/TCP: read holding registers (function 3); a length that disagrees.
    DetectorCase("modbus read holding registers", .tcp, 50000, 502, hex("0001 0000 0006 01 03 0000 000a"), (.modbus, .medium, .unknown)),
    DetectorCase("modbus shape off its port", .tcp, 50000, 50001, hex("0001 0000 0006 01 03 0000 000a"), (.modbus, .low, .unknown)),
    DetectorCase("modbus near miss: length", .tcp, 50000, 502, hex("0001 0000 0009 01 03 0000 000a"), nil),
    // S7comm: a job (setup communication) over TPKT and COTP; plain TPKT + COTP connect is not S7.
    DetectorCase("s7 job", .tcp, 50000, 102, hex("0300 0019 02f080 32 01 0000 0000 0008 0000 f000 0001 0001 01e0"), (.s7comm, .high, .client)),
    DetectorCase("s7 near miss: cotp connect", .tcp, 50000, 102, hex("0300 0016 11e0 0000 0001 00c1 0201 00c2 0201 02c0 010a"), nil),
    // Google QUIC: a Q043 client packet (public flags: version, 8-byte connection id), Q046's long
    // header with both connection id lengths in one byte (8 and 0), a public header with no version.
    DetectorCase("gquic Q043 client", .udp, 50000, 443, hex("09 0102030405060708") + ascii("Q043") + hex("01") + zeros(1200), (.quic, .high, .client)),
    DetectorCase("gquic Q046", .udp, 50000, 443, hex("c3") + ascii("Q046") + hex("50 0102030405060708 01") + zeros(40), (.quic, .high, .unknown)),
    DetectorCase("gquic near miss: reset flag", .udp, 50000, 443, hex("0b 0102030405060708") + ascii("Q043") + hex("01") + zeros(40), nil),
    DetectorCase("gquic near miss: version not Q0xx", .udp, 50000, 443, hex("09 0102030405060708") + ascii("Q4x3") + hex("01") + zeros(40), nil),
    // VXLAN: VNI 1 carrying an Ethernet frame with IPv4; the header alone on its port; an inner
    // frame whose EtherType is nothing; reserved bits set.
    DetectorCase("vxlan frame", .udp, 50000, 4789, hex("08 000000 000001 00") + innerEthernet, (.vxlan, .high, .unknown)),
    DetectorCase("vxlan off its port", .udp, 50000, 50001, hex("08 000000 000001 00") + innerEthernet, (.vxlan, .high, .unknown)),
    DetectorCase("vxlan header cut", .udp, 50000, 4789, hex("08 000000 000001 00"), (.vxlan, .medium, .unknown)),
    DetectorCase("vxlan near miss: inner type", .udp, 50000, 4789, hex("08 000000 000001 00") + innerEthernet.prefix(12) + hex("1234") + zeros(20), nil),
    DetectorCase("vxlan near miss: reserved", .udp, 50000, 4789, hex("08 000001 000001 00") + innerEthernet, nil),
    // Geneve: an Ethernet frame, one 8-byte option before it, IPv6 carried directly, version 1.
    DetectorCase("geneve frame", .udp, 50000, 6081, hex("00 00 6558 000001 00") + innerEthernet, (.geneve, .high, .unknown)),
    DetectorCase("geneve option", .udp, 50000, 6081, hex("02 00 6558 000001 00 0103 01 01 00000000") + innerEthernet, (.geneve, .high, .unknown)),
    DetectorCase("geneve ipv6", .udp, 50000, 6081, hex("00 00 86dd 000001 00 60000000 0000 11 40") + zeros(32), (.geneve, .high, .unknown)),
    DetectorCase("geneve near miss: version 2", .udp, 50000, 6081, hex("80 00 6558 000001 00") + innerEthernet, nil),
    // GTP-U: a G-PDU with an IPv4 packet (length 20), one with a sequence number, an echo
    // request, a length that disagrees.
    DetectorCase("gtpu g-pdu", .udp, 2152, 2152, hex("30 ff 0014 00000001 45000014 00000000 4011 0000 0a000001 0a000002"), (.gtpu, .high, .unknown)),
    DetectorCase("gtpu g-pdu with sequence", .udp, 50000, 50001, hex("32 ff 0018 00000001 0001 00 00 45000014 00000000 4011 0000 0a000001 0a000002"), (.gtpu, .high, .unknown)),
    DetectorCase("gtpu echo request", .udp, 2152, 2152, hex("32 01 0004 00000000 0001 00 00"), (.gtpu, .medium, .unknown)),
    DetectorCase("gtpu near miss: length", .udp, 2152, 2152, hex("30 ff 0020 00000001 45000014 00000000 4011 0000 0a000001 0a000002"), nil),
    // Nothing at all.
    DetectorCase("zeros", .tcp, 50000, 443, zeros(64), nil),
    DetectorCase("text", .tcp, 50000, 443, ascii("hello there, how are you\r\n"), nil),
]

struct PayloadDetectorTests {
    @Test(arguments: detectorCases)
    func detects(_ c: DetectorCase) {
        let found = c.detect()
        if let (proto, confidence, role) = c.expected {
            #expect(found?.proto == proto && found?.confidence == confidence && found?.role == role,
                    "got \(found.map { "\($0.proto.name) \($0.confidence.name) \($0.role)" } ?? "nothing")")
        } else {
            #expect(found == nil, "got \(found!.proto.name)")
        }
    }

    /// Every cut of every case: no trap; and a cut of a recognised payload is never taken for
    /// another protocol (at worst recognised less surely, or not at all). A near miss cut before
    /// the bytes that disqualify it may match: that is what a cut capture shows.
    @Test(arguments: detectorCases)
    func truncationSweep(_ c: DetectorCase) {
        for length in 0..<c.bytes.count {
            guard let found = c.detect(length), let expected = c.expected else { continue }
            #expect(found.proto == expected.0 && found.confidence <= expected.1, "\(length) bytes: \(found.proto.name) \(found.confidence.name)")
        }
    }

    @Test func tlsServerNameAndALPN() {
        // ClientHello with server_name a.example and ALPN h2, http/1.1.
        let alpn = be16(0x10) + be16(14) + be16(12) + [2] + ascii("h2") + [8] + ascii("http/1.1")
        var hello = AppBytes.tlsClientHello(serverName: "a.example")
        let extensionsAt = 5 + 4 + 2 + 32 + 1 + 4 + 2
        hello.replaceSubrange(extensionsAt..<(extensionsAt + 2), with: be16(hello.count - extensionsAt - 2 + alpn.count))
        hello += alpn
        hello.replaceSubrange(3..<5, with: be16(hello.count - 5))
        hello.replaceSubrange(6..<9, with: [0] + be16(hello.count - 9))
        let found = hello.withUnsafeBytes { PayloadDetector.detect($0, PayloadContext(transport: .tcp, sourcePort: 50000, destinationPort: 443)) }
        let name = found?.name.map { String(decoding: hello[$0], as: UTF8.self) }
        #expect(found?.proto == .tls && name == "a.example")
        #expect(found?.alpn.map { Array(hello[$0]) } == [2] + ascii("h2") + [8] + ascii("http/1.1"))
        // Through a flow: the names are stored as text.
        let flows = trackedFlows([(hello, "10.0.0.1 50000", "10.0.0.2 443")])
        #expect(flows.first?.name == "a.example" && flows.first?.alpn == "h2,http/1.1")
    }

    @Test func httpHostIsTrimmedAndNeedsItsWholeLine() {
        let flows = trackedFlows([
            (ascii("GET / HTTP/1.1\r\nAccept: */*\r\nhost:  web.test \r\n\r\n"), "10.0.0.1 50000", "10.0.0.2 80"),
            (ascii("GET / HTTP/1.1\r\nHost: cut.te"), "10.0.0.1 50001", "10.0.0.2 80"),
            (ascii("GET / HTTP/1.1\r\nHost: x\u{7}y\r\n\r\n"), "10.0.0.1 50002", "10.0.0.2 80"),
        ])
        #expect(flows.map(\.name) == ["web.test", nil, "x?y"])
        #expect(flows.allSatisfy { $0.proto == "http" })
    }
}

/// Tracks TCP segments (no handshake) carrying `payloads`; each flow's protocol, name and ALPN.
func trackedFlows(_ payloads: [(bytes: [UInt8], from: String, to: String)]) -> [(proto: String?, name: String?, alpn: String?)] {
    var tracker = FlowTracker()
    for (i, item) in payloads.enumerated() {
        var p = packet(.tcp, item.from, item.to, flags: [.psh, .ack])
        p.payloadOffset = 0
        p.payloadLength = item.bytes.count
        p.payloadWireLength = item.bytes.count  // captured whole, as the decoder reports it
        item.bytes.withUnsafeBytes { tracker.add(p, bytes: $0, wireLength: 60, time: Int64(i)) }
    }
    let apps = tracker.table.withFlows { flows in flows.map(\.app) }
    var result: [(proto: String?, name: String?, alpn: String?)] = []
    for app in apps {
        var name: String?, alpn: String?
        if let ref = app.name { name = tracker.names.text(ref) }
        if let ref = app.alpn { alpn = tracker.names.text(ref) }
        result.append((app.storedName, name, alpn))
    }
    return result
}

/// A SOCKS5 greeting (low alone) answered by the server's method reply is SOCKS for sure, and the
/// reply names the server; two such bytes alone are nothing.
@Test func socks5MethodReplyAnswersAGreeting() {
    var tracker = FlowTracker()
    for (i, (bytes, from, to)) in [(hex("05 01 00"), "10.0.0.1 50000", "10.0.0.2 1080"), (hex("05 00"), "10.0.0.2 1080", "10.0.0.1 50000")].enumerated() {
        var p = packet(.tcp, from, to, flags: [.psh, .ack])
        p.payloadLength = bytes.count
        p.payloadWireLength = bytes.count
        bytes.withUnsafeBytes { tracker.add(p, bytes: $0, wireLength: 60, time: Int64(i)) }
    }
    let app = tracker.table.withFlows { $0[0].app }
    #expect(app.proto == .socks && app.confidence == .high && app.server == .b)
    #expect(hex("05 00").withUnsafeBytes { PayloadDetector.detect($0, PayloadContext(transport: .tcp, sourcePort: 1080, destinationPort: 50000)) } == nil)
}

/// Names outlive nothing: after their flows end and are freed, the names go too, and the names
/// of the flows still open are unchanged.
@Test func namesAreFreedWithTheirFlows() {
    var tracker = FlowTracker()
    let hello = AppBytes.tlsClientHello(serverName: "kept.test"), ended = AppBytes.tlsClientHello(serverName: "gone.test")
    for (i, (bytes, port)) in [(ended, 40001), (hello, 40002)].enumerated() {
        var p = packet(.tcp, "10.0.0.1 \(port)", "10.0.0.2 443", flags: [.psh, .ack])
        p.payloadLength = bytes.count
        p.payloadWireLength = bytes.count  // captured whole, as the decoder reports it
        bytes.withUnsafeBytes { tracker.add(p, bytes: $0, wireLength: 100, time: Int64(i)) }
    }
    // The first flow ends and, stored, is freed: its name goes, the other's moves to the front.
    tracker.withMutableFlows { flows, _ in flows[0].end = .idle }
    tracker.removeEnded()
    let apps = tracker.table.withFlows { flows in flows.map(\.app) }
    #expect(apps.count == 1 && apps.first?.name.map { tracker.names.text($0) } == "kept.test")
}

/// A ClientHello of two segments (a 1,300-byte key share before the SNI, as post-quantum key
/// shares make them): the SNI and ALPN in the second segment are read when it directly follows
/// the first, and not from a segment that does not.
@Test(arguments: [(UInt32(2000), "split.test"), (UInt32(9999), nil)] as [(UInt32, String?)])
func clientHelloOverTwoSegments(secondSequence: UInt32, expected: String?) {
    let keyShare = be16(51) + be16(1300) + [UInt8](repeating: 0x42, count: 1300)
    let name = ascii("split.test")
    let sni = be16(0) + be16(name.count + 5) + be16(name.count + 3) + [0] + be16(name.count) + name
    let alpn = be16(16) + be16(5) + be16(3) + [2] + ascii("h2")
    let extensions = keyShare + sni + alpn
    let body = [3, 3] + [UInt8](repeating: 7, count: 32) + [0] + be16(2) + [0x13, 0x01] + [1, 0] + be16(extensions.count) + extensions
    let hello = [0x16, 3, 1] + be16(body.count + 4) + [1, 0] + be16(body.count) + body
    var tracker = FlowTracker()
    for (i, (segment, sequence)) in [(Array(hello[..<1000]), UInt32(1000)), (Array(hello[1000...]), secondSequence)].enumerated() {
        var p = packet(.tcp, "10.0.0.1 50000", "10.0.0.2 443", flags: [.psh, .ack], seq: sequence)
        p.payloadLength = segment.count
        p.payloadWireLength = segment.count  // captured whole, as the decoder reports it
        segment.withUnsafeBytes { tracker.add(p, bytes: $0, wireLength: UInt32(segment.count), time: Int64(i)) }
    }
    let app = tracker.table.withFlows { $0[0].app }
    #expect(app.proto == .tls && app.name.map { tracker.names.text($0) } == expected)
    #expect(app.alpn.map { tracker.names.text($0) } == expected.map { _ in "h2" })
}

/// The first fragment of a UDP datagram holds its first bytes: judged as a payload cut short
/// (a DNS response's header and question are enough; bytes nothing recognises are `cut`).
@Test func firstUDPFragmentIsJudgedAsCut() {
    // DNS response (id 0x1234, one question a.test A IN, one answer) — the rest of its 3000 bytes
    // in later fragments; then 16 bytes of nothing.
    let dns = hex("1234 8180 0001 0001 0000 0000 01 61 04 74 65 73 74 00 0001 0001")
    var tracker = FlowTracker()
    for (i, (bytes, to)) in [(dns, "10.0.0.1 50000"), (zeros(16), "10.0.0.1 50001")].enumerated() {
        var p = packet(.udp, "10.0.0.2 5300", to)
        p.fragment = DecodedPacket.Fragment(identification: UInt32(i), offset: 0, moreFragments: true, isFragment: true)
        p.payloadLength = bytes.count
        p.payloadWireLength = 2992  // as the decoder reads UDP's length of the whole datagram
        bytes.withUnsafeBytes { tracker.add(p, bytes: $0, wireLength: 1514, time: Int64(i)) }
    }
    let apps = tracker.table.withFlows { flows in flows.map(\.app.storedName) }
    #expect(apps == ["dns", "cut"])
}
