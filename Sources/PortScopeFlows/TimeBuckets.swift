/// The packets and bytes of one flow in one time bucket, `[start, end)` in nanoseconds, both
/// multiples of the bucket width when the bucket was begun.
public struct BucketCount: Sendable, Equatable {
    public var start: Int64 = 0
    public var end: Int64 = 0
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
}

/// A flow's current bucket, and whether it left buckets that are not stored yet
/// (`TimeBuckets.closed`).
public struct FlowBuckets: Sendable {
    public var current = BucketCount()
    /// Whether `TimeBuckets` holds buckets this flow left.
    var hasClosed = false
    /// Whether the flow was counted in the `flows` of its first bucket (its buckets were stored once).
    public internal(set) var counted = false

    /// Whether it holds traffic not stored yet.
    public var isPending: Bool { hasClosed || current.packets > 0 }

    @inlinable public init() {}
}

/// A bucket a flow left, waiting to be stored: its start (at the width it was begun with), its
/// packets and bytes, and the flow's index in the flow table.
public struct ClosedBucket: Sendable {
    public var start: Int64
    public var bytes: UInt64
    public var packets: UInt32
    public var flow: Int32
}

/// Per-flow traffic over time, counted where each packet was seen: every flow keeps the packets
/// and bytes of the bucket it is in (`FlowBuckets`); a packet outside it closes that bucket
/// into `closed` and begins the packet's own. With no fixed width, the width starts at one
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
    /// Closed buckets are kept in chunks of this many, so that holding a million of them never
    /// copies them all to grow (and never holds them twice while it does).
    static let chunkSize = 1 << 16

    /// The width in nanoseconds now; final once the capture ended.
    public private(set) var width: Int64
    /// Whether the width was chosen by the user (`--bucket`).
    public let isFixed: Bool
    private var earliest = Int64.max
    private var latest = Int64.min
    /// Buckets flows left that are not stored yet, in the order they were left.
    private var closed: [[ClosedBucket]] = []

    /// Buckets of `width` nanoseconds, or of a width chosen from the capture's span when nil.
    public init(width: Int64?) {
        self.width = width ?? Self.automaticWidths[0]
        isFixed = width != nil
        // The first chunk is reserved now, off the per-packet path (its pages are touched only as it fills).
        closed.reserveCapacity(16)
        closed.append([])
        closed[0].reserveCapacity(Self.chunkSize)
    }

    /// Counts a packet of `bytes` at `time` (ns) into the buckets of the flow at `index` of `table`.
    @inline(__always)
    mutating func count(_ table: borrowing FlowTable, _ index: Int, bytes: UInt32, at time: Int64) {
        let current = table[index].buckets.current
        if current.packets > 0 && time >= current.start && time < current.end {
            table[index].buckets.current.packets += 1
            table[index].buckets.current.bytes += UInt64(bytes)
        } else {
            begin(&table[index].buckets, flow: index, bytes: bytes, at: time)
        }
    }

    /// Counts a packet outside `flow`'s current bucket: the bucket grows to the current width
    /// when that takes the packet in (the width grew since it was begun); otherwise it is closed
    /// (if it holds packets) and the one of `time` begun.
    private mutating func begin(_ flow: inout FlowBuckets, flow index: Int, bytes: UInt32, at time: Int64) {
        earliest = min(earliest, time)
        latest = max(latest, time)
        if !isFixed {
            let span = nanosecondsBetween(earliest, latest)
            while span / width > Self.maximumBuckets, let next = Self.nextWidth(after: width) { width = next }
        }
        let start = bucketStart(time)
        if flow.current.packets > 0 {
            // Only a bucket begun at a smaller width (the width grew since) can take the packet in.
            if flow.current.end &- flow.current.start != width && bucketStart(flow.current.start) == start {
                flow.current.start = start
                flow.current.end = start &+ width
                flow.current.packets += 1
                flow.current.bytes += UInt64(bytes)
                return
            }
            close(flow.current, flow: index)
            flow.hasClosed = true
        }
        flow.current = BucketCount(start: start, end: start &+ width, packets: 1, bytes: UInt64(bytes))
    }

    /// Keeps `bucket` of the flow at `index` until it is stored (in pieces of at most
    /// `UInt32.max` packets, all at its start).
    private mutating func close(_ bucket: BucketCount, flow index: Int) {
        var packets = bucket.packets, bytes = bucket.bytes
        repeat {
            let piece = min(packets, UInt64(UInt32.max))
            Self.append(ClosedBucket(start: bucket.start, bytes: bytes, packets: UInt32(piece), flow: Int32(index)), to: &closed)
            packets -= piece
            bytes = 0
        } while packets > 0
    }

    private static func append(_ bucket: ClosedBucket, to chunks: inout [[ClosedBucket]]) {
        if chunks.isEmpty || chunks[chunks.count - 1].count == chunkSize {
            chunks.append([])
            chunks[chunks.count - 1].reserveCapacity(chunkSize)
        }
        chunks[chunks.count - 1].append(bucket)
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

    /// Each closed bucket not yet stored, of every flow, in the order they were closed.
    public func forEachClosed(_ body: (ClosedBucket) throws -> Void) rethrows {
        for chunk in closed {
            for bucket in chunk { try body(bucket) }
        }
    }

    /// After `flow`'s buckets were stored: it keeps its bucket, counted from zero.
    static func stored(_ flow: inout FlowBuckets) {
        flow.counted = true
        flow.hasClosed = false
        flow.current.packets = 0
        flow.current.bytes = 0
    }

    /// Drops the closed buckets of flows stored (`stored(_:)`) or freed, and renumbers the rest:
    /// `newIndex[i]` is where the flow at index `i` went (-1: freed; nil: no flow moved),
    /// `flows` the flows after the move. In place, keeping the chunks' memory for what follows.
    mutating func compact(_ flows: UnsafeMutableBufferPointer<FlowRecord>, newIndex: [Int32]?) {
        var chunk = 0, offset = 0  // where the next bucket kept goes
        for c in closed.indices {
            for i in closed[c].indices {
                var bucket = closed[c][i]
                let moved = newIndex.map { $0[Int(bucket.flow)] } ?? bucket.flow
                guard moved >= 0, flows[Int(moved)].buckets.hasClosed else { continue }
                bucket.flow = moved
                closed[chunk][offset] = bucket
                offset += 1
                if offset == Self.chunkSize { (chunk, offset) = (chunk + 1, 0) }
            }
        }
        guard chunk < closed.count else { return }
        closed[chunk].removeSubrange(offset...)
        closed.removeLast(closed.count - chunk - (offset > 0 || chunk == 0 ? 1 : 0))
    }
}
