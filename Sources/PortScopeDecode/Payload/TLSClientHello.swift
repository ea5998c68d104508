/// A whole TLS ClientHello (RFC 8446 §4.1.2) in one buffer that starts with its record header:
/// where its cipher suites and extensions lie, validated once so the walks below read only
/// inside the buffer. What a fingerprint (JA4) needs; the detector reads SNI and ALPN itself,
/// since it must also work on a hello the capture cut short.
public struct TLSClientHello: Sendable, Equatable {
    /// The legacy `client_version` of the hello (0x0303 for TLS 1.2 and 1.3).
    public var version: UInt16
    /// The cipher suite list: two bytes per suite.
    public var cipherSuites: Range<Int>
    /// The extension list, each extension a type, a length and its body.
    public var extensions: Range<Int>

    /// Parses `p` as a handshake record holding a ClientHello; nil unless the whole hello is in
    /// `p`, inside its record, with every length consistent.
    public init?(_ p: UnsafeRawBufferPointer) {
        // Record header (type, version, length), handshake type and 24-bit length, version, random.
        guard p.count >= 43, p.byte(at: 0) == TLSDetector.handshake, p.byte(at: 5) == TLSDetector.clientHello else { return nil }
        let recordEnd = 5 + Int(p.load(bigEndian: UInt16.self, at: 3))
        let helloEnd = 9 + (Int(p.byte(at: 6)) << 16 | Int(p.load(bigEndian: UInt16.self, at: 7)))
        guard helloEnd <= recordEnd, helloEnd <= p.count else { return nil }
        version = p.load(bigEndian: UInt16.self, at: 9)
        var offset = 43
        guard offset < helloEnd else { return nil }
        offset += 1 + Int(p.byte(at: offset))  // session id
        guard offset + 2 <= helloEnd else { return nil }
        let ciphersLength = Int(p.load(bigEndian: UInt16.self, at: offset))
        cipherSuites = (offset + 2)..<(offset + 2 + ciphersLength)
        guard ciphersLength % 2 == 0, cipherSuites.upperBound < helloEnd else { return nil }
        offset = cipherSuites.upperBound + 1 + Int(p.byte(at: cipherSuites.upperBound))  // compression methods
        // A hello without extensions (TLS 1.0 clients may send one) ends after its compression methods.
        guard offset + 2 <= helloEnd else {
            guard offset == helloEnd else { return nil }
            extensions = offset..<offset
            return
        }
        extensions = (offset + 2)..<(offset + 2 + Int(p.load(bigEndian: UInt16.self, at: offset)))
        guard extensions.upperBound <= helloEnd else { return nil }
        // Each extension inside the list, the last ending where the list does.
        var at = extensions.lowerBound
        while at < extensions.upperBound {
            guard at + 4 <= extensions.upperBound else { return nil }
            at += 4 + Int(p.load(bigEndian: UInt16.self, at: at + 2))
        }
        guard at == extensions.upperBound else { return nil }
    }

    /// The cipher suites, in the order offered.
    public func cipherSuiteValues(in p: UnsafeRawBufferPointer) -> TLSValues {
        TLSValues(p, cipherSuites)
    }

    /// The extensions, in the order sent.
    public func extensionList(in p: UnsafeRawBufferPointer) -> TLSExtensions {
        TLSExtensions(p: p, at: extensions.lowerBound, end: extensions.upperBound)
    }

    /// The 16-bit values of a list inside an extension's `body` that starts with a length of
    /// `lengthBytes` (1 or 2): `supported_versions`, `signature_algorithms`. Only what lies
    /// inside both the declared list and the body.
    public static func values(in p: UnsafeRawBufferPointer, list body: Range<Int>, lengthBytes: Int) -> TLSValues {
        guard body.count >= lengthBytes else { return TLSValues(p, body.lowerBound..<body.lowerBound) }
        let declared = lengthBytes == 1 ? Int(p.byte(at: body.lowerBound)) : Int(p.load(bigEndian: UInt16.self, at: body.lowerBound))
        return TLSValues(p, (body.lowerBound + lengthBytes)..<min(body.upperBound, body.lowerBound + lengthBytes + declared))
    }

    /// The first protocol name of an ALPN extension's body (RFC 7301: a 2-byte list length,
    /// then names each after a 1-byte length), or nil when it has none.
    public static func firstProtocol(in p: UnsafeRawBufferPointer, alpn body: Range<Int>) -> Range<Int>? {
        guard body.count >= 3 else { return nil }
        let length = Int(p.byte(at: body.lowerBound + 2))
        let name = (body.lowerBound + 3)..<(body.lowerBound + 3 + length)
        return length > 0 && name.upperBound <= body.upperBound ? name : nil
    }
}

/// Big-endian 16-bit values in a range of a validated hello (a trailing odd byte is left out).
/// A plain iterator: walking it allocates nothing.
public struct TLSValues: Sequence, IteratorProtocol {
    private let p: UnsafeRawBufferPointer
    private var at: Int
    private let end: Int

    init(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) {
        self.p = p
        at = range.lowerBound
        end = range.upperBound
    }

    public mutating func next() -> UInt16? {
        guard at + 2 <= end else { return nil }
        defer { at += 2 }
        return p.load(bigEndian: UInt16.self, at: at)
    }
}

/// The extensions of a validated hello: each one's type and where its body lies.
public struct TLSExtensions: Sequence, IteratorProtocol {
    fileprivate let p: UnsafeRawBufferPointer
    fileprivate var at: Int
    fileprivate let end: Int

    public mutating func next() -> (type: TLSExtensionType, body: Range<Int>)? {
        guard at < end else { return nil }
        let bodyEnd = at + 4 + Int(p.load(bigEndian: UInt16.self, at: at + 2))
        defer { at = bodyEnd }
        return (TLSExtensionType(rawValue: p.load(bigEndian: UInt16.self, at: at)), (at + 4)..<bodyEnd)
    }
}

/// TLS extension types and values a ClientHello fingerprint reads (IANA's TLS registries).
public struct TLSExtensionType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let serverName = TLSExtensionType(rawValue: 0)
    public static let signatureAlgorithms = TLSExtensionType(rawValue: 13)
    public static let alpn = TLSExtensionType(rawValue: 16)
    public static let supportedVersions = TLSExtensionType(rawValue: 43)

    /// Whether `value` is a GREASE value (RFC 8701: 0x0A0A, 0x1A1A, … 0xFAFA), which clients
    /// send at random to keep servers tolerant and which fingerprints ignore.
    @inlinable public static func isGREASE(_ value: UInt16) -> Bool {
        value & 0x0F0F == 0x0A0A && value >> 8 == value & 0xFF
    }
}
