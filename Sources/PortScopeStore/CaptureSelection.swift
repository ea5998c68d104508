import PortScopeSQLite

/// The captures a report reads: all of them, or some by id.
public struct CaptureSelection: Sendable, Equatable {
    /// The ids selected; nil selects every capture.
    public var ids: [Int64]?

    /// Only flows active in this window (`TimeWindow`).
    public var window = TimeWindow.always

    public static let all = CaptureSelection(ids: nil)
    public init(ids: [Int64]?, window: TimeWindow = .always) {
        self.ids = ids
        self.window = window
    }

    /// The parameters of `selected` and of `TimeWindow.flowCondition`, with `more`.
    public func parameters(_ more: [String: Statement.Value] = [:]) -> [String: Statement.Value] {
        window.parameters.merging([":captures": parameter]) { $1 }.merging(more) { $1 }
    }

    /// The value of the `:captures` parameter of `CaptureSelection.selected`: the ids as a JSON
    /// array, or null for every capture.
    public var parameter: Statement.Value {
        ids.map { .jsonArray($0) } ?? .null
    }

    /// A named CTE, `selected(id)`: the captures of the `:captures` parameter (`parameter`).
    /// Queries filter with `capture_id IN selected`, which the `flows_capture` index serves.
    public static let selected = """
        selected(id) AS (SELECT id FROM captures WHERE :captures IS NULL OR id IN (SELECT value FROM json_each(:captures)))
        """

    /// Every capture except `id`.
    public static func allExcept(_ id: Int64, in store: borrowing CaptureStore) throws(StoreError) -> CaptureSelection {
        CaptureSelection(ids: try store.query("SELECT id FROM captures WHERE id != :id ORDER BY id", [":id": .int(id)]).map { $0["id"].int })
    }

    /// The captures of this selection stored without flow rows (`analyze --no-flows`): the views
    /// built from flows (hosts, findings, flows, policies) know nothing of their traffic.
    public func withoutFlowRows(in store: borrowing CaptureStore) throws(StoreError) -> [Int64] {
        try store.query("""
            WITH \(Self.selected)
            SELECT id FROM captures WHERE flow_rows = 0 AND id IN selected ORDER BY id
            """, [":captures": parameter]).map { $0["id"].int }
    }
}

/// A capture named on the command line that the database does not hold, or holds more than once.
public enum CaptureReferenceError: Error, CustomStringConvertible {
    case unknown(String)
    case ambiguous(String, [Int64])

    public var description: String {
        switch self {
        case .unknown(let reference):
            "no capture '\(reference)' in the database (see 'portscope captures')"
        case .ambiguous(let reference, let ids):
            "'\(reference)' names captures \(ids.map(String.init).joined(separator: ", ")); give the id"
        }
    }
}

extension CaptureStore {
    /// The id of the capture `reference` names: an id, a file path as analyzed or its absolute
    /// path, the capture's name (`--name`, a set's name), an interface name of a live capture,
    /// or the end of a path after a `/` (`day1.pcap`).
    public func captureID(_ reference: String) throws -> Int64 {
        let ids = try query("""
            SELECT id FROM captures WHERE CAST(id AS TEXT) = :reference OR source = :reference OR path = :reference
               OR name = :reference
               OR (kind = 'file' AND length(source) > length(:reference) AND substr(source, -length(:reference)) = :reference
                   AND substr(source, -length(:reference) - 1, 1) = '/')
            ORDER BY id
            """, [":reference": .text(reference)]).map { $0["id"].int }
        guard let first = ids.first else { throw CaptureReferenceError.unknown(reference) }
        // An id wins over a file of the same name; otherwise one match only.
        if let exact = ids.first(where: { String($0) == reference }) { return exact }
        guard ids.count == 1 else { throw CaptureReferenceError.ambiguous(reference, ids) }
        return first
    }
}
