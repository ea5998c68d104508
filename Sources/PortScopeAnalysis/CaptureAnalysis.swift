import PortScopeCapture
import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// Why an analysis failed. Nothing is written to the database when it does.
public enum AnalysisError: Error, Sendable, CustomStringConvertible {
    case capture(CaptureError)
    case store(StoreError)

    public var description: String {
        switch self {
        case .capture(let e): e.description
        case .store(let e): e.description
        }
    }
}

/// What an analysis did.
public struct AnalysisResult: Sendable {
    /// The stored capture's id, or nil when it was skipped as already present.
    public var captureID: Int64?
    /// The id of the capture with the same SHA-256 already in the database, when skipped.
    public var duplicateOf: Int64?
    public var summary: CaptureSummary
    public var flows: Int
}

/// Settings of an `analyze` run.
public struct AnalysisOptions: Sendable {
    public var filter: String?
    public var replace = false
    public var registry = ServiceRegistry.iana
    public var timeouts = FlowTimeouts.standard
    public init(filter: String? = nil, replace: Bool = false) {
        self.filter = filter
        self.replace = replace
    }
}

/// Reads one capture file through decode and flows into the store: the `analyze` pipeline.
public enum CaptureAnalysis {
    /// Checks that `path` opens as a capture, without reading its packets.
    public static func validate(path: String) throws(AnalysisError) {
        do { _ = try CaptureFile(path: path) } catch { throw .capture(error) }
    }

    /// Checks a filter expression compiles.
    public static func validate(filter: String) throws(AnalysisError) {
        do { _ = try PacketFilter(filter) } catch { throw .capture(error) }
    }

    /// Analyzes the capture at `path` (`-` for standard input) into `store`, in one transaction.
    /// `progress` is called now and then with the bytes read so far.
    public static func run(path: String, store: borrowing CaptureStore, options: AnalysisOptions,
                           progress: (UInt64) -> Void = { _ in }) throws(AnalysisError) -> AnalysisResult {
        var file: CaptureFile
        do { file = try CaptureFile(path: path) } catch { throw .capture(error) }
        var filter: PacketFilter? = nil
        if let expression = options.filter {
            do { filter = try PacketFilter(expression) } catch { throw .capture(error) }
        }
        var tracker = FlowTracker(timeouts: options.timeouts)
        var issues = DecodeIssueCounts()
        var totals = Totals()
        var filteredOut: UInt64 = 0

        do {
            while let record = try file.next() {
                if filter != nil, try !filter!.matches(record) {
                    filteredOut += 1
                    continue
                }
                totals.add(record)
                let packet = PacketDecoder.decode(record.bytes, linkType: record.linkType)
                if let issue = packet.issue { issues.add(issue) }
                tracker.add(packet, wireLength: record.originalLength, time: record.timestamp)
                if totals.packets & 0xFFFF == 0 { progress(file.bytesRead) }
            }
        } catch {
            throw .capture(error)
        }
        let digest: (sha256: String, size: UInt64)
        do { digest = try file.finish() } catch { throw .capture(error) }
        progress(digest.size)

        let stats = file.statistics
        var summary = CaptureSummary(source: path, kind: "file", format: stats.format,
                                     linkTypes: stats.linkTypes.map(\.description))
        summary.size = digest.size
        summary.sha256 = digest.sha256
        summary.filter = options.filter
        summary.packets = totals.packets
        summary.bytes = totals.bytes
        summary.capturedBytes = totals.capturedBytes
        summary.firstTime = totals.packets > 0 ? totals.first : nil
        summary.lastTime = totals.packets > 0 ? totals.last : nil
        summary.damage = stats.damage
        summary.status = stats.damage == nil && stats.tornTrailingBytes == 0 ? "complete" : "partial"
        summary.anomalies = issues.byReason + [
            ("file.captured_over_snaplen", stats.capturedOverSnaplen),
            ("file.zero_length", stats.zeroLength),
            ("file.original_shorter_than_captured", stats.originalShorterThanCaptured),
            ("file.bad_subsecond", stats.badSubsecond),
            ("file.torn_trailing_bytes", stats.tornTrailingBytes),
            ("flow.fragments_joined", tracker.statistics.fragmentsJoined),
            ("flow.fragments_unjoined", tracker.statistics.fragmentsUnjoined),
            ("filter.excluded", filteredOut),
        ]

        let flowCount = tracker.table.count
        var result = AnalysisResult(captureID: nil, duplicateOf: nil, summary: summary, flows: flowCount)
        do throws(StoreError) {
            let existing = try store.capture(withSHA256: digest.sha256)
            if let existing, !options.replace {
                result.duplicateOf = existing
                return result
            }
            result.captureID = try tracker.table.withFlows { flows throws(StoreError) in
                let inference = ServiceSideInference(flows: flows, registry: options.registry)
                return try store.record(summary, flows: flows, inference: inference, replacing: existing)
            }
        } catch {
            throw .store(error)
        }
        return result
    }
}

/// Running totals over the packets analyzed.
struct Totals {
    var packets: UInt64 = 0
    var bytes: UInt64 = 0
    var capturedBytes: UInt64 = 0
    var first: Int64 = 0
    var last: Int64 = 0

    @inline(__always)
    mutating func add(_ record: PacketRecord) {
        if packets == 0 { first = record.timestamp }
        packets += 1
        bytes += UInt64(record.originalLength)
        capturedBytes += UInt64(record.bytes.count)
        last = record.timestamp
    }
}
