/// The ports each protocol is registered (IANA) or conventionally bound to, and which protocols
/// a port is expected to carry. `unexpected` judges detections against this table (README,
/// "Protocols on ports").
extension AppProtocol {
    /// One range of ports of one protocol: a flat table, read without allocating.
    private struct Binding {
        var proto: AppProtocol
        var transport: IPProtocol
        var ports: ClosedRange<UInt16>
    }

    private static func bind(_ proto: AppProtocol, tcp: [ClosedRange<UInt16>] = [], udp: [ClosedRange<UInt16>] = []) -> [Binding] {
        tcp.map { Binding(proto: proto, transport: .tcp, ports: $0) } + udp.map { Binding(proto: proto, transport: .udp, ports: $0) }
    }

    private static func one(_ ports: UInt16...) -> [ClosedRange<UInt16>] { ports.map { $0...$0 } }

    private static let bindings: [Binding] = [
        // https, submissions, nntps, ldaps, domain-s, ftps, telnets, imaps, ircs, pop3s,
        // msft-gc-ssl, sips, xmpp-client-ssl, wsmans, ircs-u, pcsync-https (8443, https-alt by use).
        bind(.tls, tcp: one(443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 3269, 5061, 5223, 5986, 6697, 8443)),
        // http, http-mgmt, filemaker, http-rpc-epmap, squid's proxy port, wsman, the common
        // development default 8000, http-alt.
        bind(.http, tcp: one(80, 280, 591, 593, 3128, 5985, 8000, 8008, 8080)),
        bind(.http2, tcp: one(80, 8008, 8080)),
        bind(.ssh, tcp: one(22, 830)),
        bind(.dns, tcp: one(53), udp: one(53)),
        bind(.mdns, udp: one(5353)),
        bind(.llmnr, tcp: one(5355), udp: one(5355)),
        bind(.nbns, udp: one(137)),
        bind(.quic, udp: one(443, 853)),
        bind(.smtp, tcp: one(25, 587)),
        bind(.pop3, tcp: one(110)),
        bind(.imap, tcp: one(143)),
        bind(.ftp, tcp: one(21)),
        bind(.smb, tcp: one(139, 445)),
        bind(.rdp, tcp: one(3389)),
        bind(.mysql, tcp: one(3306)),
        bind(.postgresql, tcp: one(5432)),
        bind(.redis, tcp: one(6379)),
        bind(.ntp, udp: one(123)),
        bind(.dhcp, udp: one(67, 68)),
        bind(.sip, tcp: one(5060), udp: one(5060)),
        bind(.socks, tcp: one(1080)),
        bind(.bittorrent, tcp: [6881...6889], udp: [6881...6889]),
        bind(.openvpn, tcp: one(1194), udp: one(1194)),
        bind(.wireguard, udp: one(51820)),
        bind(.stun, tcp: one(3478), udp: one(3478)),
        bind(.ssdp, udp: one(1900)),
        // kerberos, ldap (and the AD global catalog), snmp and snmptrap, epmap, rfb, telnet,
        // irc (and its common 6665-6669), mbap (Modbus), iso-tsap (S7comm's ISO-on-TCP).
        bind(.kerberos, tcp: one(88), udp: one(88)),
        bind(.ldap, tcp: one(389, 3268), udp: one(389)),
        bind(.snmp, tcp: one(161), udp: one(161, 162)),
        bind(.dcerpc, tcp: one(135)),
        bind(.rfb, tcp: [5900...5903]),
        bind(.telnet, tcp: one(23)),
        bind(.irc, tcp: one(194) + [6665...6669]),
        bind(.modbus, tcp: one(502)),
        bind(.s7comm, tcp: one(102)),
        // vxlan (and the Linux kernel's default 8472), geneve, gtp-user.
        bind(.vxlan, udp: one(4789, 8472)),
        bind(.geneve, udp: one(6081)),
        bind(.gtpu, udp: one(2152)),
    ].flatMap { $0 }

    /// Whether `port` on `transport` is one of this protocol's registered ports. Runs during
    /// detection: a plain loop over the table's storage (generic iteration allocates in debug builds).
    public func isRegistered(on port: UInt16, _ transport: IPProtocol) -> Bool {
        Self.bindings.withUnsafeBufferPointer { table in
            var i = 0
            while i < table.count {
                let b = table[i]
                if b.proto == self && b.transport == transport && b.ports.lowerBound <= port && port <= b.ports.upperBound { return true }
                i += 1
            }
            return false
        }
    }

    /// This protocol's registered ports on `transport`, as `tcp/22` or `tcp/443, tcp/8443`
    /// (empty when it has none there).
    public func registeredPorts(_ transport: IPProtocol) -> String {
        Self.bindings.filter { $0.proto == self && $0.transport == transport }.map(\.ports).map { range in
            "\(transport.name)/" + (range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)")
        }.joined(separator: ", ")
    }

    /// The protocols registered on `port` of `transport` (empty: the port is nobody's here).
    public static func expected(on port: UInt16, _ transport: IPProtocol) -> [AppProtocol] {
        bindings.filter { $0.transport == transport && $0.ports.contains(port) }.map(\.proto)
    }

    /// Protocols that run on any port by design (peer-to-peer, NAT traversal, VPNs), and TLS,
    /// which wraps any protocol (TLS on a port registered to some service is mostly that service
    /// over TLS): seen off their registered ports they are not a finding; seen on the port of a
    /// protocol PortScope detects they are.
    public var roams: Bool {
        self == .bittorrent || self == .stun || self == .wireguard || self == .openvpn || self == .quic || self == .tls
    }
}
