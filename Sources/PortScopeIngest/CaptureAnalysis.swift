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
    /// A set's files already stored (alone, or in another set): the file, and those captures.
    public var membersStored: [(path: String, captures: [Int64])] = []
    public var summary: CaptureSummary
    /// The flows stored (0 when skipped).
    public var flows: Int
    /// The most flows held in memory at once: at most `maxFlows`.
    public var flowsHeldAtMost = 0
    /// The capture's figures per service port, when it was stored in one flush (no evictions).
    public var portTotals: [ServicePortTotals]?
}

/// Settings of an `analyze` run.
public struct AnalysisOptions: Sendable {
    public var filter: String?
    public var replace = false
    /// The user's label for the capture (`--name`).
    public var name: String?
    /// Read the files given as one capture of this name (`--as-one`); nil: one file alone.
    public var setName: String?
    /// Store each flow's row (false: only the per-host and per-port aggregates).
    public var flowRows = true
    /// How packets become flows: the registry, timeouts, detection, `--max-flows`.
    public var pipeline = PipelineOptions()
    /// Records read between two looks for settled flows (`SettledFlows`), whose rows are then
    /// written while reading goes on; nil: every row at the end.
    public var settleEvery: UInt64? = 131_072
    /// Whether settled rows are written on a thread of their own (the second core); else on the
    /// reading thread at the same points: the single-threaded path, which stores the same rows.
    public var concurrentStore = true

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
        try run(paths: [path], store: store, options: options, progress: progress)
    }

    /// Asked before an analysis first reads or writes the store: a batch (`AnalysisBatch`) holds
    /// captures read in parallel there until the ones before them are stored. With `wait` true
    /// it returns once the turn came (true); with false, at once, whether it has.
    public typealias StoreTurn = (_ wait: Bool) -> Bool

    /// Analyzes `paths` into `store` as one capture, in one transaction: one file alone, or with
    /// `options.setName` several read as one (`CaptureSet`: merged by time, flows continuing
    /// across files). `progress` is called now and then with the bytes read so far; `turn` before
    /// the store is first used.
    public static func run(paths: [String], store: borrowing CaptureStore, options: AnalysisOptions,
                           progress: (UInt64) -> Void = { _ in }, turn: StoreTurn = { _ in true }) throws(AnalysisError) -> AnalysisResult {
        var input: CaptureSet
        do { input = try CaptureSet(paths: paths) } catch { throw .capture(error) }
        var filter: PacketFilter? = nil
        if let expression = options.filter {
            do { filter = try PacketFilter(expression) } catch { throw .capture(error) }
        }
        var pipeline = PacketPipeline(filter: filter, options: options.pipeline)
        // Rows written before the end (settled flows, evictions) go into one transaction opened
        // with the capture's row and committed with the last flush: the capture is stored whole
        // or not at all.
        defer { store.rollback() }
        do {
            return try store.withFlowRowStream(concurrent: options.concurrentStore) { stream throws -> AnalysisResult in
                var hasTurn = false, captureID: Int64?, nextRowID: Int64?
                func takeTurn(wait: Bool) -> Bool {
                    if !hasTurn { hasTurn = turn(wait) }
                    return hasTurn
                }
                /// The capture as read so far, still being written.
                func running() -> CaptureSummary {
                    var partial = CaptureAnalysis.summary(paths, input, options, pipeline)
                    partial.status = "running"
                    return partial
                }
                /// The capture's id, its row made (and its transaction opened) the first time.
                func capture() throws(StoreError) -> Int64 {
                    if let captureID { return captureID }
                    let id = try store.beginCapture(running(), checkingReferences: options.replace)
                    captureID = id
                    return id
                }
                /// Hands the settled flows to the stream, with the row ids they get.
                func handOver() throws(StoreError) {
                    guard pipeline.settledCount > 0 else { return }
                    let id = try capture()
                    var first: Int64
                    if let nextRowID { first = nextRowID } else { first = try store.nextFlowRowID() }
                    nextRowID = first + Int64(pipeline.settledCount)
                    stream.send(pipeline.takeSettled(firstRowID: first), capture: id, seed: options.pipeline.communityIDSeed)
                }
                // Progress is reported between batches, flows settle between some; the pipeline
                // stops early when it is full.
                let settleEvery = options.flowRows ? options.settleEvery : nil
                var sinceSettle: UInt64 = 0
                while true {
                    let batch = min(65_536, settleEvery.map { $0 - sinceSettle } ?? .max)
                    let read = try pipeline.read(&input, limit: batch)
                    progress(input.bytesRead)
                    if pipeline.isFull {
                        _ = takeTurn(wait: true)
                        try handOver()
                        try stream.drain()
                        pipeline.evict()
                        _ = try pipeline.flush(running(), into: store, capture: try capture(), scope: .ended)
                        nextRowID = nil  // the flush added rows of its own
                    } else if read < batch {
                        break
                    }
                    sinceSettle += read
                    if let settleEvery, sinceSettle >= settleEvery {
                        sinceSettle = 0
                        pipeline.settle()
                        if takeTurn(wait: false) { try handOver() }
                    }
                }
                let identity = input.identity(asOne: options.setName != nil)
                progress(identity.size)

                var summary = summary(paths, input, options, pipeline)
                summary.size = identity.size
                summary.sha256 = identity.sha256

                var result = AnalysisResult(captureID: nil, duplicateOf: nil, summary: summary, flows: 0,
                                            flowsHeldAtMost: pipeline.flowsHeldAtMost)
                _ = takeTurn(wait: true)
                try handOver()
                try stream.drain()
                if options.setName != nil {
                    for member in summary.members {
                        let holders = try store.captures(holdingFile: member.sha256)
                        if !holders.isEmpty { result.membersStored.append((member.path, holders)) }
                    }
                }
                let existing = try store.capture(withSHA256: identity.sha256, filter: options.filter)
                if let existing, !options.replace {
                    result.duplicateOf = existing
                    return result  // what was written before is rolled back
                }
                result.captureID = try pipeline.flush(summary, into: store, capture: captureID, replacing: existing)
                if captureID != nil { try store.commit() }
                result.flows = pipeline.storedFlows
                result.portTotals = pipeline.portTotals
                return result
            }
        } catch let error as CaptureError {
            throw .capture(error)
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            preconditionFailure("\(error)")
        }
    }

    /// The capture's row from what has been read of the files so far.
    private static func summary(_ paths: [String], _ input: borrowing CaptureSet, _ options: AnalysisOptions,
                                _ pipeline: borrowing PacketPipeline) -> CaptureSummary {
        let stats = input.statistics
        let asOne = options.setName != nil
        var summary = CaptureSummary(source: options.setName ?? paths[0], kind: asOne ? "set" : "file", format: stats.format,
                                     linkTypes: stats.linkTypes.map(\.description))
        summary.filter = options.filter
        summary.flowRows = options.flowRows
        summary.compression = stats.compression?.rawValue
        summary.name = options.name ?? options.setName
        summary.path = asOne ? nil : CaptureSet.absolutePath(paths[0])
        if asOne {
            summary.members = input.members.compactMap { $0 }.map { m in
                CaptureMember(path: CaptureSet.absolutePath(m.path) ?? m.path, size: m.size, sha256: m.sha256, format: m.format,
                              compression: m.compression?.rawValue, packets: m.packets, firstTime: m.firstTime, lastTime: m.lastTime)
            }
        }
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
