/// What one packet's payload says: the protocol, how sure, what it says about its sender, and
/// where the server name (TLS SNI, HTTP Host) and TLS ALPN list lie in the payload.
public struct PayloadDetection: Sendable, Equatable {
    public var proto: AppProtocol
    public var confidence: DetectionConfidence
    public var role: PayloadRole
    /// TLS server name or HTTP Host value, as a byte range of the payload.
    public var name: Range<Int>?
    /// TLS ALPN protocol list in wire form (each name after its one-byte length).
    public var alpn: Range<Int>?
    /// A ClientHello's record end, measured from this payload's start: beyond its end when the
    /// hello goes on in the segments that follow.
    public var helloRecordEnd: Int?

    @inlinable
    public init(_ proto: AppProtocol, _ confidence: DetectionConfidence, _ role: PayloadRole,
                name: Range<Int>? = nil, alpn: Range<Int>? = nil) {
        self.proto = proto
        self.confidence = confidence
        self.role = role
        self.name = name
        self.alpn = alpn
    }
}

/// The transport and ports a payload came with. Ports only name the DNS-format variants
/// (mDNS, LLMNR) and break ties a greeting leaves open; they never make a detection alone.
public struct PayloadContext: Sendable {
    public var transport: IPProtocol
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// The payload's length on the wire, when the capture may have cut it (nil: as captured).
    public var wireLength: Int?

    @inlinable
    public init(transport: IPProtocol, sourcePort: UInt16, destinationPort: UInt16, wireLength: Int? = nil) {
        self.transport = transport
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.wireLength = wireLength
    }

    /// Whether either port is `port`.
    @inlinable public func involves(_ port: UInt16) -> Bool { sourcePort == port || destinationPort == port }

    /// Whether either port is registered to `proto` on this transport.
    public func involvesRegisteredPort(of proto: AppProtocol) -> Bool {
        proto.isRegistered(on: sourcePort, transport) || proto.isRegistered(on: destinationPort, transport)
    }
}

/// Recognises the application protocol of a TCP or UDP payload: the first bytes one packet
/// carries, never reassembled. Each detector is a pure function over the captured bytes that
/// returns nil at once when the first bytes do not fit, so trying them in turn is cheap, and it
/// runs only on a flow's first few payload packets. Allocates nothing.
public enum PayloadDetector {
    /// A SOCKS5 server's method reply, which only the flow's earlier SOCKS5 greeting makes a
    /// detection (`AppDetection` asks once the flow is SOCKS).
    public static func socksMethodReply(_ payload: UnsafeRawBufferPointer) -> PayloadDetection? {
        SOCKSDetector.methodReply(payload)
    }

    /// The payload's protocol, or nil when no detector recognises it.
    public static func detect(_ payload: UnsafeRawBufferPointer, _ context: PayloadContext) -> PayloadDetection? {
        guard !payload.isEmpty else { return nil }
        var found: PayloadDetection?
        switch context.transport {
        case .tcp: found = tcp(payload, context)
        case .udp: found = udp(payload, context)
        default: return nil
        }
        // A loose shape on the protocol's own port is more than a loose shape anywhere.
        if var detection = found, detection.confidence == .low, context.involvesRegisteredPort(of: detection.proto) {
            detection.confidence = .medium
            found = detection
        }
        return found
    }

    /// Most specific first: magic numbers, then banners and request lines, then loose shapes.
    private static func tcp(_ p: UnsafeRawBufferPointer, _ context: PayloadContext) -> PayloadDetection? {
        if let found = TLSDetector.detect(p) { return found }
        if let found = HTTPDetector.detect(p) { return found }
        if let found = SSHDetector.detect(p) { return found }
        if let found = SMBDetector.detect(p) { return found }
        if let found = RDPDetector.detect(p) { return found }
        if let found = BitTorrentDetector.handshake(p) { return found }
        if let found = PostgreSQLDetector.detect(p) { return found }
        if let found = MySQLDetector.detect(p) { return found }
        if let found = MailDetector.detect(p, context) { return found }
        if let found = RedisDetector.detect(p) { return found }
        if let found = SIPDetector.detect(p) { return found }
        if let found = STUNDetector.detect(p, datagram: false) { return found }
        if let found = DNSDetector.tcp(p, context) { return found }
        if let found = OpenVPNDetector.tcp(p) { return found }
        if let found = S7Detector.detect(p) { return found }
        if let found = DCERPCDetector.detect(p) { return found }
        if let found = RFBDetector.detect(p) { return found }
        if let found = KerberosDetector.detect(p, tcp: true) { return found }
        if let found = LDAPDetector.detect(p) { return found }
        if let found = IRCDetector.detect(p) { return found }
        if let found = TelnetDetector.detect(p) { return found }
        if let found = SOCKSDetector.detect(p) { return found }
        return ModbusDetector.detect(p)
    }

    private static func udp(_ p: UnsafeRawBufferPointer, _ context: PayloadContext) -> PayloadDetection? {
        if let found = STUNDetector.detect(p, datagram: true) { return found }
        if let found = DHCPDetector.detect(p) { return found }
        // Tunnel headers before DNS's looser shape, which a cut one can take.
        if let found = TunnelDetectors.vxlan(p) { return found }
        if let found = TunnelDetectors.gtpu(p, wireLength: context.wireLength ?? p.count) { return found }
        if let found = TunnelDetectors.geneve(p, wireLength: context.wireLength ?? p.count) { return found }
        if let found = DNSDetector.udp(p, context) { return found }
        if let found = QUICDetector.detect(p) { return found }
        if let found = SIPDetector.detect(p) { return found }
        if let found = SSDPDetector.detect(p, context) { return found }
        if let found = BitTorrentDetector.dht(p) { return found }
        if let found = WireGuardDetector.detect(p) { return found }
        if let found = OpenVPNDetector.udp(p) { return found }
        if let found = KerberosDetector.detect(p, tcp: false) { return found }
        if let found = SNMPDetector.detect(p) { return found }
        if let found = LDAPDetector.detect(p) { return found }  // CLDAP
        return NTPDetector.detect(p)
    }
}
