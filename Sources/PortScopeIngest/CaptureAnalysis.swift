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
    /// The flows stored (0 when skipped).
    public var flows: Int
    /// The most flows held in memory at once: at most `maxFlows`.
    public var flowsHeldAtMost = 0
}

/// Settings of an `analyze` run.
public struct AnalysisOptions: Sendable {
    public var filter: String?
    public var replace = false
    /// Store each flow's row (false: only the per-host and per-port aggregates).
    public var flowRows = true
    /// How packets become flows: the registry, timeouts, detection, `--max-flows`.
    public var pipeline = PipelineOptions()

    public init(filter: String? = nil, replace: Bool = false, flowRows: Bool = true, detectProtocols: Bool = true) {
        self.filter = filter
        self.replace = replace
        self.flowRows = flowRows
        pipeline.detectProtocols = detectProtocols
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
        var pipeline = PacketPipeline(filter: filter, options: options.pipeline)
        // Evictions store flows before the end, inside one transaction opened at the first of
        // them and committed with the last flush: the capture is stored whole or not at all.
        var captureID: Int64?
        defer { store.rollback() }
        // Progress is reported between batches; the pipeline stops early when it is full.
        let batch: UInt64 = 65_536
        do {
            while true {
                let read = try pipeline.read(&file, limit: batch)
                progress(file.bytesRead)
                if pipeline.isFull {
                    if captureID == nil { try store.begin() }
                    pipeline.evict()
                    var partial = summary(path, file.statistics, options, pipeline)
                    partial.status = "running"
                    captureID = try pipeline.flush(partial, into: store, capture: captureID, scope: .ended)
                } else if read < batch {
                    break
                }
            }
        } catch let error as CaptureError {
            throw .capture(error)
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            preconditionFailure("\(error)")
        }
        let digest: (sha256: String, size: UInt64)
        do { digest = try file.finish() } catch { throw .capture(error) }
        progress(digest.size)

        var summary = summary(path, file.statistics, options, pipeline)
        summary.size = digest.size
        summary.sha256 = digest.sha256

        var result = AnalysisResult(captureID: nil, duplicateOf: nil, summary: summary, flows: 0,
                                    flowsHeldAtMost: pipeline.flowsHeldAtMost)
        do throws(StoreError) {
            let existing = try store.capture(withSHA256: digest.sha256)
            if let existing, !options.replace {
                result.duplicateOf = existing
                return result  // what evictions wrote is rolled back
            }
            result.captureID = try pipeline.flush(summary, into: store, capture: captureID, replacing: existing)
            if captureID != nil { try store.commit() }
            result.flows = pipeline.storedFlows
        } catch {
            throw .store(error)
        }
        return result
    }

    /// The capture's row from what has been read of the file so far.
    private static func summary(_ path: String, _ stats: CaptureFileStatistics, _ options: AnalysisOptions,
                                _ pipeline: borrowing PacketPipeline) -> CaptureSummary {
        var summary = CaptureSummary(source: path, kind: "file", format: stats.format,
                                     linkTypes: stats.linkTypes.map(\.description))
        summary.filter = options.filter
        summary.flowRows = options.flowRows
        summary.compression = stats.compression?.rawValue
        summary.damage = stats.damage
        summary.status = stats.damage == nil && stats.tornTrailingBytes == 0 ? "complete" : "partial"
        pipeline.fill(&summary, sourceAnomalies: [
            ("file.captured_over_snaplen", stats.capturedOverSnaplen),
            ("file.zero_length", stats.zeroLength),
            ("file.original_shorter_than_captured", stats.originalShorterThanCaptured),
            ("file.bad_subsecond", stats.badSubsecond),
            ("file.torn_trailing_bytes", stats.tornTrailingBytes),
        ])
        return summary
    }
}
