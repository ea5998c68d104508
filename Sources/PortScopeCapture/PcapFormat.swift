import PortScopeDecode

/// Classic libpcap format: a 24-byte file header, then 16-byte record headers
/// (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html).
struct PcapFormat {
    var swapped: Bool
    var nanoseconds: Bool
    /// 24 for the Kuznetsov "modified" format (ifindex, protocol, packet type follow), else 16.
    var recordHeaderLength: Int
    var snaplen: UInt32
    var linkType: LinkType
    var maxCaptured: Int
    /// Before version 2.3 the captured and original length fields were written the other way
    /// round; 2.3 files may have either order. libpcap and Wireshark swap them back.
    var lengthsSwapped: Version23Rule

    enum Version23Rule { case never, always, whenCapturedExceedsOriginal }

    static let magicMicro: UInt32 = 0xA1B2_C3D4
    static let magicNano: UInt32 = 0xA1B2_3C4D
    static let magicModified: UInt32 = 0xA1B2_CD34

    /// Whether these 4 bytes (as read little-endian) start a classic pcap file.
    static func matches(_ magic: UInt32) -> Bool {
        [magicMicro, magicNano, magicModified].contains(magic) ||
            [magicMicro, magicNano, magicModified].contains(magic.byteSwapped)
    }

    /// Reads the file header (24 bytes available).
    init(header: UnsafeRawBufferPointer, path: String) throws(CaptureError) {
        let raw = UInt32(littleEndian: header.loadUnaligned(as: UInt32.self))
        swapped = ![Self.magicMicro, Self.magicNano, Self.magicModified].contains(raw)
        let magic = swapped ? raw.byteSwapped : raw
        nanoseconds = magic == Self.magicNano
        recordHeaderLength = magic == Self.magicModified ? 24 : 16
        let swap = swapped
        func field<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T {
            let v = T(littleEndian: header.loadUnaligned(fromByteOffset: offset, as: T.self))
            return swap ? v.byteSwapped : v
        }
        let major = field(4, UInt16.self), minor = field(6, UInt16.self)
        // 2.4 is current; Wireshark reads every 2.x the same way (libpcap is stricter).
        guard major == 2 else {
            throw .unreadableHeader(path: path, reason: "pcap version \(major).\(minor)")
        }
        lengthsSwapped = minor < 3 ? .always : minor == 3 ? .whenCapturedExceedsOriginal : .never
        snaplen = field(16, UInt32.self)
        let linkField = field(20, UInt32.self)
        // Bits 16-25 are reserved and must be zero; 26-31 describe the FCS (ignored here).
        guard linkField & 0x03FF_0000 == 0 else {
            throw .unreadableHeader(path: path, reason: "reserved link-type bits set (0x\(String(linkField, radix: 16)))")
        }
        linkType = LinkType(rawValue: linkField & 0xFFFF)
        maxCaptured = PcapFormat.maxCaptured(snaplen: snaplen)
    }

    /// The largest captured length taken as sound: Wireshark's 256 KiB, or the snapshot length
    /// when a file declares more (up to 16 MiB).
    static func maxCaptured(snaplen: UInt32) -> Int {
        max(262_144, min(Int(snaplen), 16 << 20))
    }

    /// Reads the next record, or returns nil at the end or at damage (noted in `stats`).
    mutating func next(_ input: inout ChunkedInput, _ stats: inout CaptureFileStatistics) throws(CaptureError) -> PacketRecord? {
        let h = recordHeaderLength
        guard try input.ensure(h) else {
            stats.tornTrailingBytes += UInt64(input.available)
            return nil
        }
        let header = input.bytes(count: h)
        let swap = swapped
        func field(_ offset: Int) -> UInt32 {
            let v = UInt32(littleEndian: header.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            return swap ? v.byteSwapped : v
        }
        let seconds = field(0), fraction = field(4)
        var captured = Int(field(8)), original = field(12)
        if lengthsSwapped == .always || (lengthsSwapped == .whenCapturedExceedsOriginal && captured > original) {
            (captured, original) = (Int(original), UInt32(captured))
        }
        guard captured <= maxCaptured else {
            stats.damage = "record \(stats.records + 1): captured length \(captured) is not plausible"
            return nil
        }
        guard try input.ensure(h + captured) else {
            stats.tornTrailingBytes += UInt64(input.available)
            return nil
        }
        stats.records += 1
        if captured > snaplen { stats.capturedOverSnaplen += 1 }
        if captured == 0 { stats.zeroLength += 1 }
        if original < captured { stats.originalShorterThanCaptured += 1 }
        let perSecond: UInt32 = nanoseconds ? 1_000_000_000 : 1_000_000
        if fraction >= perSecond { stats.badSubsecond += 1 }
        let subsecond = nanoseconds ? Int64(fraction) : Int64(fraction) * 1000
        let record = PacketRecord(bytes: input.bytes(at: h, count: captured), originalLength: original,
                                  timestamp: Int64(seconds) * 1_000_000_000 + subsecond,
                                  linkType: linkType, interface: 0)
        input.consume(h + captured)
        return record
    }
}
