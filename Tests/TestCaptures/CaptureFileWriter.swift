#if canImport(Glibc)
import Glibc
#endif

/// Writes test captures field by field (like swift-nio-extras' pcap writer), into memory; a
/// long capture drains to a file as it goes (`drain(to:)`).
///
/// - Classic pcap: magic, version 2.4, thiszone, sigfigs, snaplen, link type; then records
///   (seconds, sub-seconds, captured length, original length, data).
/// - pcapng: a section header, one interface description (link type, snaplen, and with
///   nanoseconds `if_tsresol` 9), then an enhanced packet block per record.
///
/// It writes what it is given: a record longer than the snaplen, or a sub-second field out of
/// range, is written as such (the reader's tests need them).
public struct CaptureFileWriter {
    public enum Format: Sendable {
        case pcap
        case pcapng
    }

    public let format: Format
    private let bigEndian: Bool
    private let nanoseconds: Bool
    /// What is written and not yet drained.
    public private(set) var bytes: [UInt8] = []

    public init(_ format: Format = .pcap, bigEndian: Bool = false, nanoseconds: Bool = false, snaplen: UInt32 = 65535,
                linkType: UInt32 = 1) {
        self.format = format
        self.bigEndian = bigEndian
        self.nanoseconds = nanoseconds
        switch format {
        case .pcap:
            u32(nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4); u16(2); u16(4); u32(0); u32(0); u32(snaplen); u32(linkType)
        case .pcapng:
            block(0x0A0D_0D0A) { w in w.u32(0x1A2B_3C4D); w.u16(1); w.u16(0); w.u32(0xFFFF_FFFF); w.u32(0xFFFF_FFFF) }
            block(1) { w in
                w.u16(UInt16(truncatingIfNeeded: linkType)); w.u16(0); w.u32(snaplen)
                if nanoseconds { w.u16(9); w.u16(1); w.bytes += [9, 0, 0, 0] }  // if_tsresol 10^-9, padded
                w.u16(0); w.u16(0)  // opt_endofopt
            }
        }
    }

    /// Appends one record: its time as seconds and the sub-second count (micro- or nanoseconds
    /// as the file says), its captured bytes, and its original length (the captured length when nil).
    public mutating func record(seconds: UInt32, fraction: UInt32, _ data: some Collection<UInt8>, original: UInt32? = nil) {
        let captured = UInt32(data.count)
        switch format {
        case .pcap:
            u32(seconds); u32(fraction); u32(captured); u32(original ?? captured)
            bytes += data
        case .pcapng:
            let units = UInt64(seconds) * (nanoseconds ? 1_000_000_000 : 1_000_000) + UInt64(fraction)
            block(6) { w in
                w.u32(0); w.u32(UInt32(units >> 32)); w.u32(UInt32(truncatingIfNeeded: units)); w.u32(captured)
                w.u32(original ?? captured)
                w.bytes += data
                w.bytes += repeatElement(0, count: (4 - data.count % 4) % 4)
            }
        }
    }

    /// Writes what is buffered to `file` and forgets it; false when the file could not take it.
    public mutating func drain(to file: UnsafeMutablePointer<FILE>) -> Bool {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) } == bytes.count
    }

    private mutating func u32(_ v: UInt32) { withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian) { bytes += $0 } }
    private mutating func u16(_ v: UInt16) { withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian) { bytes += $0 } }

    /// A pcapng block: type, total length, body, total length again.
    private mutating func block(_ type: UInt32, _ body: (inout CaptureFileWriter) -> Void) {
        var inner = CaptureFileWriter(copying: self)
        body(&inner)
        let length = UInt32(12 + inner.bytes.count)
        u32(type); u32(length); bytes += inner.bytes; u32(length)
    }

    /// An empty writer with the same settings, for a block's body.
    private init(copying other: CaptureFileWriter) {
        format = other.format
        bigEndian = other.bigEndian
        nanoseconds = other.nanoseconds
    }
}

extension CaptureFileWriter {
    /// A record as the tests list them: time fields, captured bytes, original length (nil: captured).
    public typealias Record = (seconds: UInt32, fraction: UInt32, data: [UInt8], original: UInt32?)

    /// A whole capture in memory.
    public static func capture(_ format: Format = .pcap, bigEndian: Bool = false, nanoseconds: Bool = false,
                               snaplen: UInt32 = 65535, linkType: UInt32 = 1, records: [Record]) -> [UInt8] {
        var writer = CaptureFileWriter(format, bigEndian: bigEndian, nanoseconds: nanoseconds, snaplen: snaplen, linkType: linkType)
        for r in records { writer.record(seconds: r.seconds, fraction: r.fraction, r.data, original: r.original) }
        return writer.bytes
    }
}
