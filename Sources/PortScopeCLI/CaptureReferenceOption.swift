import ArgumentParser
import PortScopeStore

/// A capture named by id or file name.
struct CaptureReferenceOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only this capture: its id or file name (see 'portscope captures').", valueName: "capture"))
    var capture: String?

    /// How reports name the capture `reference` that resolved to `id`.
    static func describe(_ reference: String, id: Int64) -> String {
        reference == String(id) ? "capture \(id)" : "\(reference) (capture \(id))"
    }

    /// How reports name the captures `selection` (made by this option) holds.
    func name(of selection: CaptureSelection) -> String {
        guard let capture, let id = selection.ids?.first else { return "all captures" }
        return Self.describe(capture, id: id)
    }

    /// The selection it makes (all captures without it).
    func selection(in store: borrowing CaptureStore) throws -> CaptureSelection {
        guard let capture else { return .all }
        return CaptureSelection(ids: [try store.captureID(capture)])
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
