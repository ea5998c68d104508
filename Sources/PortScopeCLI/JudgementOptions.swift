import ArgumentParser
import PortScopeAnalysis
import PortScopeStore

/// What findings judge against, shared by `unexpected` and `report`: a policy file and a
/// baseline capture.
struct JudgementOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Judge local hosts against this policy file ('portscope policy init' drafts one).", valueName: "file"))
    var policy: String?

    @Option(name: .long, help: ArgumentHelp("Report local services that appeared or vanished since this capture (id or file name); "
                                            + "without --capture, every other capture is compared with it.", valueName: "capture"))
    var baseline: String?

    /// Reads the policy into `options`.
    func load(into options: inout FindingOptions) throws {
        if let policy { options.policy = try readPolicy(policy) }
    }

    /// Sets the baseline in `options`; without captures of its own (`captures.given` empty),
    /// the captures judged become every other one.
    func apply(to options: inout FindingOptions, captures: inout CaptureSelection, reference: CaptureReferenceOption,
               in store: borrowing CaptureStore) throws {
        guard let baseline else { return }
        let id = try store.captureID(baseline)
        options.baseline = (id, CaptureReferenceOption.describe(baseline, id: id))
        if reference.given.isEmpty { captures = try CaptureSelection.allExcept(id, in: store) }
    }
}
