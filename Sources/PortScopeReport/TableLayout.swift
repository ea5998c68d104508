/// How a report prints as a table. By default a table shows the columns that answer the
/// report's question (not its `detail` columns), numbers and sizes the way people read them
/// (`1.2 k`, `36.0 MiB`), times to the second (`2024-05-01 12:00:05`, UTC), and long text cut
/// short; JSON and CSV always print every key as stored.
public struct TableLayout: Sendable, Equatable {
    /// Every column, whole.
    public var wide = false
    /// Exactly these columns, in this order, in every format (nil: the report's choice).
    public var columns: [String]? = nil
    /// Numbers and times as stored (JSON's and CSV's).
    public var exact = false

    public static let standard = TableLayout()

    public init(wide: Bool = false, columns: [String]? = nil, exact: Bool = false) {
        self.wide = wide
        self.columns = columns
        self.exact = exact
    }
}

/// Numbers as a table shows them by default: counts in thousands (`1.2 k`, `3.4 M`), sizes in
/// binary units (`512 B`, `36.0 MiB`), one decimal past the first unit.
enum HumanNumber {
    static func count(_ value: Int64) -> String {
        scaled(value, base: 1000, units: ["", " k", " M", " G", " T", " P"])
    }

    static func bytes(_ value: Int64) -> String {
        scaled(value, base: 1024, units: [" B", " KiB", " MiB", " GiB", " TiB", " PiB"])
    }

    private static func scaled(_ value: Int64, base: Double, units: [String]) -> String {
        var scaled = Double(value), unit = 0
        // Rounded to one decimal, a value stays under the base: 999,960 prints 1.0 M, not 1000.0 k.
        while unit < units.count - 1, (abs(scaled) * 10).rounded() >= base * 10 {
            scaled /= base
            unit += 1
        }
        guard unit > 0 else { return "\(value)\(units[0])" }
        let tenths = Int64((scaled * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))\(units[unit])"
    }
}
