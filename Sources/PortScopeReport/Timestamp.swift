/// Formats nanoseconds since the Unix epoch as ISO 8601 UTC with microseconds
/// (`2024-05-01T12:00:00.123456Z`), without Foundation. Any value formats, even a database's
/// nonsense (floor divisions that cannot overflow).
public func formatTimestamp(_ nanoseconds: Int64) -> String {
    let (seconds, nanos) = floorDivision(nanoseconds, 1_000_000_000)
    let micros = nanos / 1000
    var (days, secondOfDay) = floorDivision(seconds, 86400)
    // Civil date from a day count (H. Hinnant, "chrono-compatible low-level date algorithms").
    days += 719_468
    let era = (days >= 0 ? days : days - 146_096) / 146_097
    let dayOfEra = days - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let micro = String(micros)
    return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))."
        + String(repeating: "0", count: 6 - micro.count) + micro + "Z"
}

/// Quotient rounded down and the remainder that goes with it (0 ≤ remainder < divisor).
private func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
    let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
    return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
}
