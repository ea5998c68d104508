/// An IPv4 or IPv6 address held in 16 bytes, as two big-endian words so that comparison is
/// byte order. IPv4 is stored IPv4-mapped (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2).
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Bytes 0–7 and 8–15 of the address, most significant first.
    public var high: UInt64
    public var low: UInt64

    @inlinable public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An IPv4 address from its 32-bit value.
    @inlinable public init(ipv4 value: UInt32) {
        self.init(high: 0, low: 0x0000_FFFF_0000_0000 | UInt64(value))
    }

    public static let zero = IPAddress(high: 0, low: 0)

    @inlinable public var isIPv4: Bool { high == 0 && (low >> 32) == 0x0000_FFFF }
    @inlinable public var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    @inlinable public static func < (a: Self, b: Self) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }

    /// Dotted quad for IPv4; RFC 5952 for IPv6 (lower case, longest run of two or more zero
    /// groups shortened to `::`, the first such run on a tie).
    public var description: String { withText { String(decoding: $0, as: UTF8.self) } }

    /// The longest text form: eight groups of four hex digits and seven colons.
    public static let maxTextLength = 39

    /// Calls `body` with the address's text (as `description`) in a stack buffer: the form
    /// bulk writes use, with no String made per address.
    @inlinable
    public func withText<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)  // 40 bytes
        return try withUnsafeMutableBytes(of: &buffer) { (raw) throws(E) -> R in
            let bytes = raw.bindMemory(to: UInt8.self)
            return try body(UnsafeBufferPointer(rebasing: bytes[..<writeText(into: bytes.baseAddress!)]))
        }
    }

    /// Writes the text form at `out` (room for `maxTextLength` bytes); returns its length.
    @usableFromInline
    func writeText(into out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        func put(_ byte: UInt8) { out[n] = byte; n += 1 }
        func decimal(_ v: UInt32) {
            if v >= 100 { put(UInt8(ascii: "0") + UInt8(v / 100)) }
            if v >= 10 { put(UInt8(ascii: "0") + UInt8(v / 10 % 10)) }
            put(UInt8(ascii: "0") + UInt8(v % 10))
        }
        func hex(_ v: UInt16) {
            var started = false
            for shift in stride(from: 12, through: 0, by: -4) {
                let digit = UInt8((v >> UInt16(shift)) & 0xF)
                if digit == 0 && !started && shift > 0 { continue }
                started = true
                put(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
            }
        }
        if isIPv4 {
            let v = ipv4Value
            decimal(v >> 24); put(UInt8(ascii: "."))
            decimal((v >> 16) & 0xFF); put(UInt8(ascii: "."))
            decimal((v >> 8) & 0xFF); put(UInt8(ascii: "."))
            decimal(v & 0xFF)
            return n
        }
        func group(_ i: Int) -> UInt16 {
            UInt16(truncatingIfNeeded: (i < 4 ? high : low) >> UInt64(48 - 16 * (i % 4)))
        }
        // The longest run of zero groups (the first on a tie), shortened only when two or more.
        var bestStart = -1, bestLength = 1, runStart = -1
        for i in 0...8 {
            if i < 8 && group(i) == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        var i = 0
        while i < 8 {
            if i == bestStart {
                put(UInt8(ascii: ":")); put(UInt8(ascii: ":"))
                i += bestLength
                continue
            }
            if n > 0 && out[n - 1] != UInt8(ascii: ":") { put(UInt8(ascii: ":")) }
            hex(group(i))
            i += 1
        }
        return n
    }

    /// Parses dotted IPv4 or textual IPv6 (RFC 4291 §2.2, including an embedded IPv4 tail).
    public init?(_ text: some StringProtocol) {
        if !text.contains(":") {
            guard let v4 = IPAddress.parseIPv4(text) else { return nil }
            self.init(ipv4: v4)
            return
        }
        var head: [UInt16] = [], tail: [UInt16] = []
        let chars = Array(text.utf8)
        var halves: [String] = []
        var cut = -1
        for i in 0..<max(0, chars.count - 1) where chars[i] == UInt8(ascii: ":") && chars[i + 1] == UInt8(ascii: ":") {
            guard cut < 0 else { return nil }  // at most one "::"
            cut = i
        }
        if cut >= 0 {
            halves = [String(decoding: chars[..<cut], as: UTF8.self), String(decoding: chars[(cut + 2)...], as: UTF8.self)]
        } else {
            halves = [String(text)]
        }
        func groups(_ part: String, allowIPv4: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (n, field) in fields.enumerated() {
                if allowIPv4 && n == fields.count - 1 && field.contains(".") {
                    guard let v4 = IPAddress.parseIPv4(field) else { return nil }
                    out.append(UInt16(v4 >> 16)); out.append(UInt16(v4 & 0xFFFF))
                } else {
                    guard (1...4).contains(field.count), let g = UInt16(field, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        if halves.count == 2 {
            guard let h = groups(halves[0], allowIPv4: false), let t = groups(halves[1], allowIPv4: true),
                  h.count + t.count <= 7 else { return nil }
            head = h; tail = t
        } else {
            guard let h = groups(halves[0], allowIPv4: true), h.count == 8 else { return nil }
            head = h
        }
        let all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(all[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(all[i]) }
        self.init(high: hi, low: lo)
    }

    private static func parseIPv4(_ text: some StringProtocol) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let b = UInt8(part) else { return nil }
            value = value << 8 | UInt32(b)
        }
        return value
    }
}

extension IPAddress {
    /// Multicast or the IPv4 limited broadcast: a destination, never a host that serves.
    @inlinable public var isGroupAddress: Bool {
        if isIPv4 { return ipv4Value >> 28 == 0xE || ipv4Value == 0xFFFF_FFFF }
        return high >> 56 == 0xFF
    }
}

extension IPAddress {
    /// `0.0.0.0` or `::`: any address.
    public var isUnspecified: Bool { self == .zero || (isIPv4 && ipv4Value == 0) }
    /// `127.0.0.0/8`, `::1`, or `::ffff:127.0.0.0/104`.
    public var isLoopback: Bool { (isIPv4 && ipv4Value >> 24 == 127) || (high == 0 && low == 1) }
}
