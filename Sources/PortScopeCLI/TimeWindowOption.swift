import ArgumentParser
import PortScopeReport
import PortScopeStore

/// `--since` and `--until`: the span of time a report keeps to.
struct TimeWindowOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Only traffic at or after this time: ISO 8601 (2024-05-01, 2024-05-01T12:00, …Z or +02:00; UTC by default), "
            + "or a span back from the latest packet of the captures reported (2h, 30m, 1d).", valueName: "time"))
    var since: TimeBound?

    @Option(name: .long, help: ArgumentHelp(
        "Only traffic before this time (the same forms as --since).", valueName: "time"))
    var until: TimeBound?

    /// `selection` kept to the window.
    func applied(to selection: CaptureSelection, in store: borrowing CaptureStore) throws -> CaptureSelection {
        CaptureSelection(ids: selection.ids, window: try window(in: store, captures: selection.ids))
    }

    /// The window in the captures `ids` (all when nil): relative bounds count back from their latest packet.
    func window(in store: borrowing CaptureStore, captures ids: [Int64]?) throws -> TimeWindow {
        guard since != nil || until != nil else { return .always }
        let latest = try store.query("""
            SELECT MAX(last_ns) AS latest FROM captures
            WHERE :captures IS NULL OR id IN (SELECT value FROM json_each(:captures))
            """, [":captures": CaptureSelection(ids: ids).parameter]).first?["latest"].int ?? 0
        return TimeWindow(since: since?.nanoseconds(latest: latest), until: until?.nanoseconds(latest: latest))
    }
}

/// A time bound as typed: an ISO 8601 time, or a span back from the latest packet.
enum TimeBound: ExpressibleByArgument {
    case absolute(Int64)
    case back(TimeSpan)

    init?(argument: String) {
        if let time = parseTimestamp(argument) {
            self = .absolute(time)
        } else if let span = TimeSpan(argument: argument) {
            self = .back(span)
        } else {
            return nil
        }
    }

    func nanoseconds(latest: Int64) -> Int64 {
        switch self {
        case .absolute(let time): time
        case .back(let span): latest &- span.nanoseconds
        }
    }
}
