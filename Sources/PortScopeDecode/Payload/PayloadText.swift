// Byte-level text matching for the detectors: ASCII prefixes, lines and tokens, all bounded by
// the captured bytes.
extension UnsafeRawBufferPointer {
    /// Whether the bytes at `offset` are `text` (ASCII, case as given).
    func matches(_ text: StaticString, at offset: Int = 0) -> Bool {
        let n = text.utf8CodeUnitCount
        guard offset >= 0, offset + n <= count else { return false }
        let pattern = UnsafeRawBufferPointer(start: text.utf8Start, count: n)
        for i in 0..<n where byte(at: offset + i) != pattern.byte(at: i) { return false }
        return true
    }

    /// Whether the bytes at `offset` are `text` ignoring ASCII case; `text` is written in upper case.
    func matchesIgnoringCase(_ text: StaticString, at offset: Int = 0) -> Bool {
        let n = text.utf8CodeUnitCount
        guard offset >= 0, offset + n <= count else { return false }
        let pattern = UnsafeRawBufferPointer(start: text.utf8Start, count: n)
        for i in 0..<n where Self.upper(byte(at: offset + i)) != pattern.byte(at: i) { return false }
        return true
    }

    /// Where `text` (upper case, matched ignoring case) first occurs in `range`, if it does.
    func find(_ text: StaticString, in range: Range<Int>) -> Int? {
        let n = text.utf8CodeUnitCount
        let end = Swift.min(range.upperBound, count)
        var i = range.lowerBound
        while i + n <= end {
            if matchesIgnoringCase(text, at: i) { return i }
            i += 1
        }
        return nil
    }

    /// The end of the line starting at `offset` (where its CR LF begins), or nil when the
    /// captured bytes stop first. Lines longer than `limit` are not lines.
    func lineEnd(from offset: Int, limit: Int = 1024) -> Int? {
        let end = Swift.min(count, offset + limit)
        var i = offset
        while i + 1 < end {
            if byte(at: i) == 0x0D && byte(at: i + 1) == 0x0A { return i }
            i += 1
        }
        return nil
    }

    /// The index after the run of bytes from `offset` that satisfy `accept`, at most `limit` long.
    func skip(from offset: Int, limit: Int = 256, while accept: (UInt8) -> Bool) -> Int {
        let end = Swift.min(count, offset + limit)
        var i = offset
        while i < end && accept(byte(at: i)) { i += 1 }
        return i
    }

    /// Whether every byte in `range` is printable ASCII (space to tilde) or a tab.
    func isPrintable(_ range: Range<Int>) -> Bool {
        for i in range where !(0x20...0x7E).contains(byte(at: i)) && byte(at: i) != 0x09 { return false }
        return true
    }

    static func upper(_ b: UInt8) -> UInt8 { (0x61...0x7A).contains(b) ? b - 0x20 : b }
}

@inline(__always) func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }
@inline(__always) func isTokenByte(_ b: UInt8) -> Bool { (0x21...0x7E).contains(b) }
