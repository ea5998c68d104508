import PortScopeDecode

/// One packet as a reader hands it out: its captured bytes in place (valid only until the
/// reader's next call), original length, time and link type.
public struct PacketRecord {
    /// The captured bytes. Borrowed from the reader's buffer: do not keep past the next read.
    public var bytes: UnsafeRawBufferPointer
    /// The packet's length on the wire (may exceed `bytes.count`).
    public var originalLength: UInt32
    /// Nanoseconds since the Unix epoch.
    public var timestamp: Int64
    public var linkType: LinkType
    /// pcapng interface index (0 for classic pcap and live capture).
    public var interface: UInt32

    @inlinable
    public init(bytes: UnsafeRawBufferPointer, originalLength: UInt32, timestamp: Int64, linkType: LinkType, interface: UInt32) {
        self.bytes = bytes
        self.originalLength = originalLength
        self.timestamp = timestamp
        self.linkType = linkType
        self.interface = interface
    }
}

/// What a capture file held, counted while reading it.
public struct CaptureFileStatistics: Sendable, Equatable {
    /// `pcap` or `pcapng`.
    public var format = ""
    /// The compression the file is kept in, read through (nil: none).
    public var compression: CompressionFormat? = nil
    /// Link types of the interfaces that carried packets, in order of first use.
    public var linkTypes: [LinkType] = []
    public var records: UInt64 = 0
    /// Records whose captured length exceeds the file's (or interface's) snapshot length.
    public var capturedOverSnaplen: UInt64 = 0
    /// Records with no captured bytes.
    public var zeroLength: UInt64 = 0
    /// Records claiming an original length shorter than what was captured.
    public var originalShorterThanCaptured: UInt64 = 0
    /// Records whose sub-second timestamp field is out of range.
    public var badSubsecond: UInt64 = 0
    /// Bytes of an incomplete last record (a file cut while being written).
    public var tornTrailingBytes: UInt64 = 0
    /// Why reading stopped before the end of the file, when it did.
    public var damage: String? = nil

    public init() {
        linkTypes.reserveCapacity(8)
    }

    /// Adds what another file of the same capture set held: counts summed, link types and
    /// formats in order of first use, its damage (named by `path`) if this has none yet.
    mutating func absorb(_ other: CaptureFileStatistics, from path: String) {
        if format.isEmpty { format = other.format } else if !format.split(separator: ",").contains(Substring(other.format)) {
            format += "," + other.format
        }
        if compression == nil { compression = other.compression }
        for type in other.linkTypes { noteLinkType(type) }
        records += other.records
        capturedOverSnaplen += other.capturedOverSnaplen
        zeroLength += other.zeroLength
        originalShorterThanCaptured += other.originalShorterThanCaptured
        badSubsecond += other.badSubsecond
        tornTrailingBytes += other.tornTrailingBytes
        if damage == nil, let reason = other.damage { damage = "\(path): \(reason)" }
    }

    /// Called per record. An index loop, not `contains`: the generic call allocates in
    /// unoptimized builds, where the allocation test runs.
    mutating func noteLinkType(_ type: LinkType) {
        for i in linkTypes.indices where linkTypes[i] == type { return }
        linkTypes.append(type)
    }
}
