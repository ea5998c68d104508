/// What the store records about one capture besides its flows.
public struct CaptureSummary: Sendable {
    /// File path (`-` for standard input) or interface name.
    public var source: String
    /// `file` or `interface`.
    public var kind: String
    /// `pcap`, `pcapng` or `live`.
    public var format: String
    public var size: UInt64?
    public var sha256: String?
    /// Link type names, in order of first use.
    public var linkTypes: [String]
    public var filter: String?
    public var firstTime: Int64?
    public var lastTime: Int64?
    public var packets: UInt64 = 0
    /// Sum of original (wire) lengths.
    public var bytes: UInt64 = 0
    /// Sum of captured lengths.
    public var capturedBytes: UInt64 = 0
    /// `complete`, `partial` (damage or an error stopped the reading), or `running` (live,
    /// between flushes; also what a live run killed without a final flush leaves).
    public var status: String = "complete"
    /// Whether this is the capture's last flush: no flow is decided again after it.
    public var isFinal: Bool { status != "running" }
    public var damage: String?
    /// Live capture: libpcap's counters at the last flush — packets the filter passed, packets
    /// the kernel dropped for lack of buffer space, and packets the interface dropped.
    public var received: UInt64?
    public var droppedByKernel: UInt64?
    public var droppedByInterface: UInt64?
    /// Whether each flow gets its row; false keeps only the per-host and per-port aggregates
    /// (`analyze --no-flows`).
    public var flowRows = true
    /// The process writing a `running` capture, as `host:pid`, so that a reader can tell a run
    /// that was killed (`Reports.captures` shows it `interrupted`) from one still going.
    public var writer: String?
    /// Packets by the reason they were not decoded fully, and file-level anomalies.
    public var anomalies: [(reason: String, packets: UInt64)] = []
    /// The compression the file was read through (`gzip`, …; nil: none).
    public var compression: String?
    /// The user's label (`--name`), or a capture set's name.
    public var name: String?
    /// The file's absolute path (nil for standard input, an interface or a set).
    public var path: String?
    /// A set read as one capture: its files, in the order their first packets came (empty: one file).
    public var members: [CaptureMember] = []
    /// The seed of every flow's Community ID (`--community-id-seed`; the spec's default 0).
    public var communityIDSeed: UInt16 = 0

    public init(source: String, kind: String, format: String, linkTypes: [String]) {
        self.source = source
        self.kind = kind
        self.format = format
        self.linkTypes = linkTypes
    }
}

/// One file of a capture set read as one capture.
public struct CaptureMember: Sendable, Equatable {
    /// The file's absolute path.
    public var path: String
    public var size: UInt64
    public var sha256: String
    /// `pcap` or `pcapng`.
    public var format: String
    public var compression: String?
    public var packets: UInt64
    public var firstTime: Int64?
    public var lastTime: Int64?

    public init(path: String, size: UInt64, sha256: String, format: String, compression: String?, packets: UInt64,
                firstTime: Int64?, lastTime: Int64?) {
        (self.path, self.size, self.sha256, self.format, self.compression) = (path, size, sha256, format, compression)
        (self.packets, self.firstTime, self.lastTime) = (packets, firstTime, lastTime)
    }
}
