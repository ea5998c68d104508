import PortScopeStore

/// The captures a report reads: all of them, or some by id.
public struct CaptureSelection: Sendable, Equatable {
    /// The ids selected; nil selects every capture.
    public var ids: [Int64]?

    public static let all = CaptureSelection(ids: nil)
    public init(ids: [Int64]?) { self.ids = ids }

    /// A SQL condition on the column `column`, with literal ids (they are integers).
    func condition(_ column: String = "capture_id") -> String {
        guard let ids else { return "1" }
        return ids.isEmpty ? "0" : "\(column) IN (\(ids.map(String.init).joined(separator: ",")))"
    }

    /// Every capture except `id`.
    public static func allExcept(_ id: Int64, in store: borrowing CaptureStore) throws -> CaptureSelection {
        CaptureSelection(ids: try store.rows("SELECT id FROM captures WHERE id != ? ORDER BY id", [.int(id)]).map { $0[0].int })
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

extension Reports {
    /// The captures of `selection` stored without flow rows (`analyze --no-flows`): the views
    /// built from flows (hosts, findings, flows, policies) know nothing of their traffic.
    public static func capturesWithoutFlowRows(_ selection: CaptureSelection, in store: borrowing CaptureStore) throws -> [Int64] {
        try store.rows("SELECT id FROM captures WHERE flow_rows = 0 AND \(selection.condition("id")) ORDER BY id").map { $0[0].int }
    }

    /// The id of the capture `reference` names: an id, a file path as analyzed, a file name, or
    /// an interface name of a live capture, or the end of a path after a `/` (`day1.pcap`).
    public static func captureID(_ reference: String, in store: borrowing CaptureStore) throws -> Int64 {
        let rows = try store.rows("""
            SELECT id FROM captures WHERE CAST(id AS TEXT) = ?1 OR source = ?1
               OR (kind = 'file' AND length(source) > length(?1) AND substr(source, -length(?1)) = ?1
                   AND substr(source, -length(?1) - 1, 1) = '/')
            ORDER BY id
            """, [.text(reference)])
        let ids = rows.map { $0[0].int }
        guard let first = ids.first else { throw CaptureReferenceError.unknown(reference) }
        // An id wins over a file of the same name; otherwise one match only.
        if let exact = ids.first(where: { String($0) == reference }) { return exact }
        guard ids.count == 1 else { throw CaptureReferenceError.ambiguous(reference, ids) }
        return first
    }
}
