/// The packets and bytes of one flow in one time bucket, `[start, end)` in nanoseconds, both
/// multiples of the bucket width when the bucket was begun.
public struct BucketCount: Sendable, Equatable {
    public var start: Int64 = 0
    public var end: Int64 = 0
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
}

/// A flow's current bucket, and the buckets it left that are not stored yet (a chain through
/// `TimeBuckets.segments`).
public struct FlowBuckets: Sendable {
    public var current = BucketCount()
    /// The last bucket left, or -1.
    var chain: Int32 = -1
    /// Whether the flow was counted in the `flows` of its first bucket (its buckets were stored once).
    public internal(set) var counted = false

    /// Whether it holds traffic not stored yet.
    public var isPending: Bool { chain >= 0 || current.packets > 0 }

    @inlinable public init() {}
}

/// Per-flow traffic over time, counted where each packet was seen: every flow keeps the packets
/// and bytes of the bucket it is in (`FlowBuckets`); a packet outside it closes that bucket
/// into `segments` and begins the packet's own. With no fixed width, the width starts at one
/// second and grows through `automaticWidths` as the capture's time span grows, so that a
/// capture has at most `maximumBuckets` buckets; each width is a multiple of the one before, so
/// a bucket begun at a smaller width lies inside one bucket of the final width
/// (`bucketStart(_:)`), and the store coarsens what it wrote earlier.
public struct TimeBuckets: Sendable {
    /// Widths the automatic choice goes through, in nanoseconds: 1 s, 10 s, 1 min, 5 min,
    /// 15 min, 1 h, 6 h, 1 day, 7 days.
    public static let automaticWidths: [Int64] = [1, 10, 60, 300, 900, 3600, 21_600, 86_400, 604_800].map { $0 * 1_000_000_000 }
    /// The most buckets a capture's span is given before the automatic width grows.
    public static let maximumBuckets: Int64 = 300

    /// The width in nanoseconds now; final once the capture ended.
    public private(set) var width: Int64
    /// Whether the width was chosen by the user (`--bucket`).
    public let isFixed: Bool
    private var earliest = Int64.max
    private var latest = Int64.min
    /// Closed buckets of flows not yet stored: each links to the one closed before it.
    private var segments: [(count: BucketCount, next: Int32)] = []

    /// Buckets of `width` nanoseconds, or of a width chosen from the capture's span when nil.
    public init(width: Int64?, expectedFlows: Int) {
        self.width = width ?? Self.automaticWidths[0]
        isFixed = width != nil
        segments.reserveCapacity(expectedFlows)
    }

    /// Counts a packet of `bytes` at `time` (ns) into the buckets of the flow at `index` of `table`.
    @inline(__always)
    mutating func count(_ table: borrowing FlowTable, _ index: Int, bytes: UInt32, at time: Int64) {
        let current = table[index].buckets.current
        if current.packets > 0 && time >= current.start && time < current.end {
            table[index].buckets.current.packets += 1
            table[index].buckets.current.bytes += UInt64(bytes)
        } else {
            begin(&table[index].buckets, bytes: bytes, at: time)
        }
    }

    /// Closes `flow`'s current bucket (if it holds packets) and begins the one of `time`.
    private mutating func begin(_ flow: inout FlowBuckets, bytes: UInt32, at time: Int64) {
        if flow.current.packets > 0 {
            segments.append((flow.current, flow.chain))
            flow.chain = Int32(segments.count - 1)
        }
        earliest = min(earliest, time)
        latest = max(latest, time)
        if !isFixed {
            let span = nanosecondsBetween(earliest, latest)
            while span / width > Self.maximumBuckets, let next = Self.nextWidth(after: width) { width = next }
        }
        let start = bucketStart(time)
        flow.current = BucketCount(start: start, end: start &+ width, packets: 1, bytes: UInt64(bytes))
    }

    /// The automatic width after `width`, if any.
    private static func nextWidth(after width: Int64) -> Int64? {
        for candidate in automaticWidths where candidate > width { return candidate }
        return nil
    }

    /// The start of the bucket of the current width that holds `time`.
    public func bucketStart(_ time: Int64) -> Int64 {
        let remainder = time % width
        return remainder < 0 ? time &- remainder &- width : time &- remainder
    }

    /// Each bucket of `flow` not yet stored: those it left, then its current one.
    public func forEach(of flow: FlowBuckets, _ body: (BucketCount) throws -> Void) rethrows {
        var link = flow.chain
        while link >= 0 {
            let segment = segments[Int(link)]
            try body(segment.count)
            link = segment.next
        }
        if flow.current.packets > 0 { try body(flow.current) }
    }

    /// After `flow`'s buckets were stored: it keeps its bucket, counted from zero.
    static func stored(_ flow: inout FlowBuckets) {
        flow.counted = true
        flow.chain = -1
        flow.current.packets = 0
        flow.current.bytes = 0
    }

    /// Drops the closed buckets no flow of `flows` links to any more (stored, or of flows freed),
    /// keeping the chains of the rest.
    mutating func compact(_ flows: UnsafeMutableBufferPointer<FlowRecord>) {
        guard !segments.isEmpty else { return }
        var kept: [(count: BucketCount, next: Int32)] = []
        for i in flows.indices where flows[i].buckets.chain >= 0 {
            var link = flows[i].buckets.chain, chain: [BucketCount] = []
            while link >= 0 {
                chain.append(segments[Int(link)].count)
                link = segments[Int(link)].next
            }
            var next: Int32 = -1
            for count in chain.reversed() {
                kept.append((count, next))
                next = Int32(kept.count - 1)
            }
            flows[i].buckets.chain = next
        }
        if kept.isEmpty {
            segments.removeAll(keepingCapacity: true)
        } else {
            segments = kept
        }
    }
}
