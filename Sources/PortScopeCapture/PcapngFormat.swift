import PortScopeDecode

/// pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html): sections of
/// blocks, each interface with its own link type, snapshot length and timestamp resolution.
/// Read here rather than by libpcap, which refuses interfaces of different link types.
struct PcapngFormat {
    struct Interface {
        var linkType: LinkType
        var snaplen: UInt32
        /// Timestamp units per second (10^6 unless `if_tsresol` says otherwise).
        var unitsPerSecond: UInt64
        /// `if_tsoffset`: seconds added to every timestamp.
        var offsetSeconds: Int64
    }

    static let sectionHeader: UInt32 = 0x0A0D_0D0A
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
    static let interfaceDescription: UInt32 = 1
    static let obsoletePacket: UInt32 = 2
    static let simplePacket: UInt32 = 3
    static let enhancedPacket: UInt32 = 6
    /// A block longer than this is taken as damage.
    static let maxBlock = 64 << 20

    var swapped = false
    var interfaces: [Interface] = []
    let path: String

    init(path: String) {
        self.path = path
        interfaces.reserveCapacity(16)  // interface blocks mid-file then cost no allocation
    }

    @inline(__always)
    func u32(_ b: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        let v = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        return swapped ? v.byteSwapped : v
    }

    @inline(__always)
    func u16(_ b: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        let v = UInt16(littleEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        return swapped ? v.byteSwapped : v
    }

    /// Reads blocks until a packet; nil at the end or at damage (noted in `stats`).
    /// The first call must find a section header block; `isFirst` makes its absence an error.
    mutating func next(_ input: inout ChunkedInput, _ stats: inout CaptureFileStatistics, isFirst: Bool) throws(CaptureError) -> PacketRecord? {
        while true {
            guard try input.ensure(12) else {
                stats.tornTrailingBytes += UInt64(input.available)
                return nil
            }
            let head = input.bytes(count: 12)
            let type = UInt32(littleEndian: head.loadUnaligned(as: UInt32.self))
            if type == PcapngFormat.sectionHeader {
                let magic = UInt32(littleEndian: head.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
                guard magic == PcapngFormat.byteOrderMagic || magic.byteSwapped == PcapngFormat.byteOrderMagic else {
                    if stats.records == 0 && interfaces.isEmpty { throw .unreadableHeader(path: path, reason: "bad pcapng byte-order magic") }
                    stats.damage = "bad section header at byte \(input.position)"
                    return nil
                }
                swapped = magic != PcapngFormat.byteOrderMagic
            } else if isFirst && stats.records == 0 && interfaces.isEmpty && input.position == 0 {
                throw .notACapture(path: path)
            }
            let blockType = u32(head, 0)
            let length = Int(u32(head, 4))
            guard length >= 12, length % 4 == 0, length <= PcapngFormat.maxBlock else {
                return damaged("block length \(length) at byte \(input.position)", &stats)
            }
            guard try input.ensure(length) else {
                stats.tornTrailingBytes += UInt64(input.available)
                return nil
            }
            let block = input.bytes(count: length)
            guard u32(block, length - 4) == UInt32(length) else {
                return damaged("block at byte \(input.position): trailing length differs", &stats)
            }
            switch blockType {
            case PcapngFormat.sectionHeader:
                guard length >= 28 else { return damaged("short section header", &stats) }
                let major = u16(block, 12), minor = u16(block, 14)
                // 1.0 is current; 1.2 was written by some tools with the same layout.
                guard major == 1 && (minor == 0 || minor == 2) else {
                    if stats.records == 0 { throw .unreadableHeader(path: path, reason: "pcapng version \(major).\(minor)") }
                    return damaged("section with pcapng version \(major).\(minor)", &stats)
                }
                interfaces.removeAll(keepingCapacity: true)
            case PcapngFormat.interfaceDescription:
                guard length >= 20 else { return damaged("short interface block", &stats) }
                interfaces.append(interface(block, length))
            case PcapngFormat.enhancedPacket, PcapngFormat.obsoletePacket:
                guard length >= 32 else { return damaged("short packet block", &stats) }
                let index = blockType == PcapngFormat.enhancedPacket ? u32(block, 8) : UInt32(u16(block, 8))
                guard Int(index) < interfaces.count else {
                    return damaged("packet on undeclared interface \(index)", &stats)
                }
                let captured = Int(u32(block, 20))
                guard captured <= length - 32 else {
                    return damaged("packet block: captured length \(captured) exceeds the block", &stats)
                }
                let time = UInt64(u32(block, 12)) << 32 | UInt64(u32(block, 16))
                let record = packet(block, at: 28, captured: captured, original: u32(block, 24), time: time, interface: index, &stats)
                input.consume(length)
                return record
            case PcapngFormat.simplePacket:
                guard length >= 16, !interfaces.isEmpty else { return damaged("simple packet block without interface", &stats) }
                let original = u32(block, 8)
                let snaplen = interfaces[0].snaplen
                var captured = min(Int(original), length - 16)
                if snaplen != 0 { captured = min(captured, Int(snaplen)) }
                let record = packet(block, at: 12, captured: captured, original: original, time: nil, interface: 0, &stats)
                input.consume(length)
                return record
            default:
                break  // name resolution, statistics, custom blocks: nothing to count
            }
            input.consume(length)
        }
    }

    private func damaged(_ why: String, _ stats: inout CaptureFileStatistics) -> PacketRecord? {
        stats.damage = why
        return nil
    }

    private func interface(_ block: UnsafeRawBufferPointer, _ length: Int) -> Interface {
        var result = Interface(linkType: LinkType(rawValue: UInt32(u16(block, 8))), snaplen: u32(block, 12),
                               unitsPerSecond: 1_000_000, offsetSeconds: 0)
        var option = 16
        let end = length - 4
        while option + 4 <= end {
            let code = u16(block, option), size = Int(u16(block, option + 2))
            if code == 0 { break }
            let value = option + 4
            guard value + size <= end else { break }
            if code == 9 && size >= 1 {
                let resolution = block.byte(at: value)
                let exponent = UInt64(resolution & 0x7F)
                if resolution & 0x80 == 0 {
                    if exponent <= 19 {
                        var units: UInt64 = 1, left = exponent
                        while left > 0 { units *= 10; left -= 1 }
                        result.unitsPerSecond = units
                    }
                } else if exponent <= 63 {
                    result.unitsPerSecond = 1 << exponent
                }
            } else if code == 14 && size >= 8 {
                let raw = UInt64(littleEndian: block.loadUnaligned(fromByteOffset: value, as: UInt64.self))
                result.offsetSeconds = Int64(bitPattern: swapped ? raw.byteSwapped : raw)
            }
            option = value + (size + 3) & ~3
        }
        return result
    }

    private func packet(_ block: UnsafeRawBufferPointer, at offset: Int, captured: Int, original: UInt32,
                        time: UInt64?, interface index: UInt32, _ stats: inout CaptureFileStatistics) -> PacketRecord {
        let iface = interfaces[Int(index)]
        stats.records += 1
        stats.noteLinkType(iface.linkType)
        if iface.snaplen != 0 && captured > iface.snaplen { stats.capturedOverSnaplen += 1 }
        if captured == 0 { stats.zeroLength += 1 }
        if Int(original) < captured { stats.originalShorterThanCaptured += 1 }
        var nanos: Int64 = 0
        if let time {
            let per = iface.unitsPerSecond
            let seconds = time / per, fraction = time % per
            let sub = per == 1_000_000_000 ? fraction : per == 1_000_000 ? fraction * 1000
                : UInt64((Double(fraction) * 1e9 / Double(per)).rounded(.down))
            nanos = Int64(truncatingIfNeeded: seconds &* 1_000_000_000 &+ sub) &+ iface.offsetSeconds &* 1_000_000_000
        }
        return PacketRecord(bytes: UnsafeRawBufferPointer(rebasing: block[offset..<offset + captured]),
                            originalLength: original, timestamp: nanos, linkType: iface.linkType, interface: index)
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always) fileprivate func byte(at offset: Int) -> UInt8 { load(fromByteOffset: offset, as: UInt8.self) }
}
