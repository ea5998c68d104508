import PortScopeDecode

/// A saved capture (pcap or pcapng, or standard input as `-`) read by PortScope's own reader.
/// Packets are handed out in place from one reused buffer; nothing is copied per packet.
public struct CaptureFile: ~Copyable {
    public let path: String
    private var input: ChunkedInput
    // One of the two is in use (`isPcapng`). Kept as two stored values rather than an enum
    // with payloads so the per-packet call mutates in place, with no copy or retain.
    private var pcap: PcapFormat?
    private var pcapng: PcapngFormat
    private let isPcapng: Bool
    public private(set) var statistics = CaptureFileStatistics()
    private var first = true

    /// Opens `path` and reads its file header.
    /// - Throws: `CaptureError` when the file cannot be read or is not a capture.
    public init(path: String) throws(CaptureError) {
        self.path = path
        var input = try ChunkedInput(path: path)
        guard try input.ensure(4) else {
            if let damage = input.damage { throw .unreadableHeader(path: path, reason: damage) }
            if input.available == 0 { throw .unreadableHeader(path: path, reason: "empty file") }
            throw .notACapture(path: path)
        }
        statistics.compression = input.compression
        let magic = UInt32(littleEndian: input.bytes(count: 4).loadUnaligned(as: UInt32.self))
        if PcapFormat.matches(magic) {
            guard try input.ensure(24) else { throw .unreadableHeader(path: path, reason: "file header cut short") }
            let pcap = try PcapFormat(header: input.bytes(count: 24), path: path)
            input.consume(24)
            self.pcap = pcap
            pcapng = PcapngFormat(path: path)
            isPcapng = false
            statistics.format = "pcap"
            statistics.noteLinkType(pcap.linkType)
        } else if magic == PcapngFormat.sectionHeader {
            pcapng = PcapngFormat(path: path)
            isPcapng = true
            statistics.format = "pcapng"
        } else if let compression = input.compression {
            throw .unreadableHeader(path: path, reason: "\(compression.rawValue) data that is not a pcap or pcapng capture")
        } else {
            throw .notACapture(path: path)
        }
        self.input = input
    }

    /// The next packet, or nil at the end of the file (or where damage stops the reading; see
    /// `statistics.damage`). The record's bytes are valid until the next call.
    public mutating func next() throws(CaptureError) -> PacketRecord? {
        let record: PacketRecord?
        if isPcapng {
            let isFirst = first
            first = false
            record = try pcapng.next(&input, &statistics, isFirst: isFirst)
        } else {
            record = try pcap!.next(&input, &statistics)
        }
        // A damaged or cut compressed stream ends the capture like damage in the capture itself.
        if record == nil, statistics.damage == nil, let damage = input.damage { statistics.damage = damage }
        return record
    }

    /// Bytes read so far (the file size once `finish` has run).
    public var bytesRead: UInt64 { input.bytesRead }

    /// Reads what is left of the file and returns its SHA-256 (hex). Call once, after the last packet.
    public mutating func finish() throws(CaptureError) -> (sha256: String, size: UInt64) {
        let digest = try input.finish()
        return (digest, input.bytesRead)
    }
}
