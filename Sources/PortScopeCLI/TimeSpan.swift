import ArgumentParser

/// A duration on the command line: a number with a unit — `500ms`, `10s`, `5m`, `2h`, `1d`
/// (seconds when the unit is left out).
struct TimeSpan: ExpressibleByArgument, Equatable {
    /// Nanoseconds.
    var nanoseconds: Int64

    init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The units, largest first (`500ms` does not parse as seconds: `500m` is no number).
    private static let units: [(suffix: String, scale: Int64)] = [
        ("d", 86_400_000_000_000), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000),
    ]

    init?(argument: String) {
        let unit = Self.units.first { argument.hasSuffix($0.suffix) && Double(argument.dropLast($0.suffix.count)) != nil }
        let number = unit.map { String(argument.dropLast($0.suffix.count)) } ?? argument
        // Finite, positive, and at most ~292 years in nanoseconds.
        guard let value = Double(number), value.isFinite, value > 0 else { return nil }
        let nanoseconds = value * Double(unit?.scale ?? 1_000_000_000)
        guard nanoseconds >= 1, nanoseconds < Double(Int64.max) else { return nil }
        self.nanoseconds = Int64(nanoseconds)
    }

    static var defaultCompletionKind: CompletionKind { .default }

    /// As a user types it: the largest unit that gives a whole number (`10s`, `5m`, `1500ms`).
    var defaultValueDescription: String {
        for unit in Self.units where nanoseconds % unit.scale == 0 { return "\(nanoseconds / unit.scale)\(unit.suffix)" }
        return "\(Double(nanoseconds) / 1e9)s"
    }
}
