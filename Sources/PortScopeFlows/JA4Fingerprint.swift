import CCrypto
import PortScopeDecode

/// JA4, FoxIO's TLS client fingerprint (technical_details/JA4.md, BSD-3-Clause), of a whole
/// ClientHello: `t13d1516h2_8daaf6152771_e5627efa2ab1`.
///
/// - a: `t` (TLS over TCP), the version (highest non-GREASE `supported_versions` entry, else
///   the hello's own: `13`, `12`, `11`, `10`, `s3`, `s2`, `d1`–`d3`, else `00`), `d` with SNI or
///   `i` without, the non-GREASE cipher and extension counts (two digits, at most 99), the first
///   and last character of the first ALPN value (`00` without; the hex digits at the ends when
///   either is not alphanumeric).
/// - b: SHA-256 of the sorted non-GREASE cipher suites (`002f,0035,…`), its first 12 hex digits.
/// - c: the same of the sorted non-GREASE extensions less SNI and ALPN, then `_` and the
///   signature algorithms as sent (no `_` without them).
/// An empty list hashes to `000000000000`.
///
/// Works in buffers allocated once (a record holds at most 8,192 values), so fingerprinting a
/// hello allocates nothing: it runs on the per-packet path.
struct JA4Fingerprinter: ~Copyable {
    /// The fingerprint's length: 10 + `_` + 12 + `_` + 12.
    static let length = 36
    private static let maxValues = 16_384 / 2

    private let values: UnsafeMutableBufferPointer<UInt16>
    private let text: UnsafeMutableBufferPointer<UInt8>

    init() {
        values = .allocate(capacity: Self.maxValues)
        text = .allocate(capacity: Self.maxValues * 5 * 2)
    }

    deinit {
        values.deallocate()
        text.deallocate()
    }

    /// Writes the JA4 of `hello`, whose bytes are `p`, into `out` (`length` bytes).
    func fingerprint(_ hello: TLSClientHello, in p: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>) {
        // Part b's text first: the ciphers, sorted, from the start of `text`.
        var ciphers = 0
        for v in hello.cipherSuiteValues(in: p) where !TLSExtensionType.isGREASE(v) {
            values[ciphers] = v
            ciphers += 1
        }
        var b = TextCursor(text)
        b.putSorted(UnsafeMutableBufferPointer(rebasing: values[..<ciphers]))

        var version = hello.version, hasServerName = false, extensionCount = 0
        var alpn: Range<Int>?, signatureAlgorithms: Range<Int>?
        var kept = 0  // extensions for part c, in `values` (the ciphers are text by now)
        for (type, body) in hello.extensionList(in: p) where !TLSExtensionType.isGREASE(type.rawValue) {
            extensionCount += 1
            switch type {
            case .serverName: hasServerName = true
            case .alpn: alpn = TLSClientHello.firstProtocol(in: p, alpn: body)
            case .signatureAlgorithms: signatureAlgorithms = body
            case .supportedVersions:
                var highest: UInt16 = 0
                for v in TLSClientHello.values(in: p, list: body, lengthBytes: 1) where !TLSExtensionType.isGREASE(v) {
                    highest = max(highest, v)
                }
                if highest != 0 { version = highest }
            default: break
            }
            if type != .serverName && type != .alpn {
                values[kept] = type.rawValue
                kept += 1
            }
        }
        // Part c's text after part b's.
        var c = TextCursor(UnsafeMutableBufferPointer(rebasing: text[b.at...]))
        c.putSorted(UnsafeMutableBufferPointer(rebasing: values[..<kept]))
        if kept > 0, let signatureAlgorithms {
            var separator = UInt8(ascii: "_")
            for v in TLSClientHello.values(in: p, list: signatureAlgorithms, lengthBytes: 2) where !TLSExtensionType.isGREASE(v) {
                c.put(separator)
                c.putHex(v)
                separator = UInt8(ascii: ",")
            }
        }

        var a = TextCursor(out)
        a.put(UInt8(ascii: "t"))
        a.put(Self.versionCode(version))
        a.put(UInt8(ascii: hasServerName ? "d" : "i"))
        a.putCount(ciphers)
        a.putCount(extensionCount)
        if let alpn {
            let (first, last) = (p[alpn.lowerBound], p[alpn.upperBound - 1])
            if JA4Text.isAlphanumeric(first) && JA4Text.isAlphanumeric(last) {
                a.put(first)
                a.put(last)
            } else {
                a.putHexDigit(first >> 4)
                a.putHexDigit(last & 0x0F)
            }
        } else {
            a.put("00")
        }
        a.put(UInt8(ascii: "_"))
        hash(UnsafeBufferPointer(rebasing: text[..<b.at]), into: &a)
        a.put(UInt8(ascii: "_"))
        hash(UnsafeBufferPointer(rebasing: text[b.at..<(b.at + c.at)]), into: &a)
    }

    /// The first 12 hex digits of SHA-256 of `text`, or `000000000000` when it is empty.
    private func hash(_ text: UnsafeBufferPointer<UInt8>, into out: inout TextCursor) {
        guard !text.isEmpty else {
            for _ in 0..<12 { out.put(UInt8(ascii: "0")) }
            return
        }
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let done = withUnsafeMutableBytes(of: &digest) { d in
            portscope_sha256(text.baseAddress, text.count, d.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 1
        }
        precondition(done, "OpenSSL could not compute SHA-256")
        withUnsafeBytes(of: digest) { d in
            for i in 0..<6 {
                out.putHexDigit(d[i] >> 4)
                out.putHexDigit(d[i] & 0x0F)
            }
        }
    }

    /// In place, O(n log n) whatever the input, and without the buffer a merge sort takes.
    static func heapSort(_ a: UnsafeMutableBufferPointer<UInt16>) {
        for start in stride(from: a.count / 2 - 1, through: 0, by: -1) { siftDown(a, start, a.count) }
        for end in stride(from: a.count - 1, to: 0, by: -1) {
            a.swapAt(0, end)
            siftDown(a, 0, end)
        }
    }

    private static func siftDown(_ a: UnsafeMutableBufferPointer<UInt16>, _ start: Int, _ end: Int) {
        var root = start
        while 2 * root + 1 < end {
            var child = 2 * root + 1
            if child + 1 < end && a[child] < a[child + 1] { child += 1 }
            guard a[root] < a[child] else { return }
            a.swapAt(root, child)
            root = child
        }
    }

    /// The version's two characters.
    private static func versionCode(_ version: UInt16) -> StaticString {
        switch version {
        case 0x0304: "13"
        case 0x0303: "12"
        case 0x0302: "11"
        case 0x0301: "10"
        case 0x0300: "s3"
        case 0x0002: "s2"
        case 0xFEFF: "d1"
        case 0xFEFD: "d2"
        case 0xFEFC: "d3"
        default: "00"
        }
    }
}

/// Where the next byte of a fingerprint's text goes.
private struct TextCursor {
    let out: UnsafeMutableBufferPointer<UInt8>
    var at = 0

    init(_ out: UnsafeMutableBufferPointer<UInt8>) { self.out = out }

    mutating func put(_ byte: UInt8) {
        out[at] = byte
        at += 1
    }

    mutating func put(_ ascii: StaticString) {
        for i in 0..<ascii.utf8CodeUnitCount { put(ascii.utf8Start[i]) }
    }

    /// One lower-case hex digit of `nibble` (0-15).
    mutating func putHexDigit(_ nibble: UInt8) {
        put(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
    }

    /// Two digits, at most 99.
    mutating func putCount(_ count: Int) {
        let n = UInt8(min(count, 99))
        put(UInt8(ascii: "0") + n / 10)
        put(UInt8(ascii: "0") + n % 10)
    }

    /// Four lower-case hex digits.
    mutating func putHex(_ v: UInt16) {
        for shift in stride(from: 12, through: 0, by: -4) { putHexDigit(UInt8((v >> UInt16(shift)) & 0x0F)) }
    }

    /// `list` sorted in place and written as `xxxx,xxxx,…`.
    mutating func putSorted(_ list: UnsafeMutableBufferPointer<UInt16>) {
        JA4Fingerprinter.heapSort(list)
        for i in list.indices {
            if i > 0 { put(UInt8(ascii: ",")) }
            putHex(list[i])
        }
    }
}

/// The text forms of a JA4 fingerprint, as users search for them.
public enum JA4Text {
    /// Whether `text` is a whole JA4 (`t13d1516h2_8daaf6152771_e5627efa2ab1`) or one of its
    /// parts: the 10-character `a` (`t13d1516h2`) or a 12-digit hash (`b` or `c`).
    public static func isFingerprintOrPart(_ text: String) -> Bool {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isPartA(parts[0]) || isHash(parts[0])
        case 3: return isPartA(parts[0]) && isHash(parts[1]) && isHash(parts[2])
        default: return false
        }
    }

    /// `t13d1516h2`: protocol, version, SNI, two counts, the ALPN characters.
    private static func isPartA(_ a: Substring) -> Bool {
        let b = Array(a.utf8)
        return b.count == 10 && "tqd".utf8.contains(b[0]) && isAlphanumeric(b[1]) && isAlphanumeric(b[2]) && "di".utf8.contains(b[3])
            && b[4...7].allSatisfy { (0x30...0x39).contains($0) } && isAlphanumeric(b[8]) && isAlphanumeric(b[9])
    }

    /// ASCII 0-9, A-Z, a-z.
    static func isAlphanumeric(_ c: UInt8) -> Bool {
        (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c)
    }

    private static func isHash(_ h: Substring) -> Bool {
        h.utf8.count == 12 && h.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
