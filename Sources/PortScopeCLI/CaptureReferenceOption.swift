import ArgumentParser
import PortScopeStore

/// The captures a report covers, each named by id, path, file name or name; repeated or a
/// comma list means any of them.
struct CaptureReferenceOption: ParsableArguments {
    @Option(name: .customLong("capture"), parsing: .singleValue,
            help: ArgumentHelp("Only this capture: its id, file name or name (see 'portscope captures'); repeat or comma list: any.",
                               valueName: "capture"))
    var references: [String] = []

    /// The references given, commas split.
    var given: [String] { ListOption.values(references) }

    /// How reports name the capture `reference` that resolved to `id`.
    static func describe(_ reference: String, id: Int64) -> String {
        reference == String(id) ? "capture \(id)" : "\(reference) (capture \(id))"
    }

    /// How reports name the captures `selection` (made by this option) holds.
    func name(of selection: CaptureSelection) -> String {
        guard let ids = selection.ids, ids.count == given.count, !ids.isEmpty else { return "all captures" }
        return zip(given, ids).map { Self.describe($0, id: $1) }.joined(separator: ", ")
    }

    /// The selection it makes (all captures without it).
    func selection(in store: borrowing CaptureStore) throws -> CaptureSelection {
        guard !given.isEmpty else { return .all }
        var ids: [Int64] = []
        for reference in given { ids.append(try store.captureID(reference)) }
        return CaptureSelection(ids: ids)
    }

    /// The selection, for a report built from flow rows: says on standard error which selected
    /// captures have none (`analyze --no-flows`), so an empty report is not taken for no traffic.
    func flowSelection(in store: borrowing CaptureStore) throws -> CaptureSelection {
        let selection = try selection(in: store)
        noteCapturesWithoutFlowRows(selection, in: store)
        return selection
    }
}

/// Notes on standard error the captures of `selection` stored without flow rows.
func noteCapturesWithoutFlowRows(_ selection: CaptureSelection, in store: borrowing CaptureStore) {
    guard let ids = try? selection.withoutFlowRows(in: store), !ids.isEmpty else { return }
    let list = ids.map(String.init).joined(separator: ", ")
    printError("note: capture\(ids.count == 1 ? "" : "s") \(list) analyzed with --no-flows: no flow rows, so not in this report (services has their traffic)")
}
