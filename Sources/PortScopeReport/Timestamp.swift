/// Formats nanoseconds since the Unix epoch as ISO 8601 UTC with microseconds
/// (`2024-05-01T12:00:00.123456Z`), without Foundation. Any value formats, even a database's
/// nonsense (floor divisions that cannot overflow).
public func formatTimestamp(_ nanoseconds: Int64) -> String {
    let time = CivilTime(nanoseconds)
    let micro = String(time.micros)
    return "\(time.date)T\(time.clock)." + String(repeating: "0", count: 6 - micro.count) + micro + "Z"
}

/// A UTC time as a calendar shows it.
struct CivilTime {
    var year, month, day, hour, minute, second, micros: Int64

    init(_ nanoseconds: Int64) {
        let (seconds, nanos) = floorDivision(nanoseconds, 1_000_000_000)
        micros = nanos / 1000
        var (days, secondOfDay) = floorDivision(seconds, 86400)
        // Civil date from a day count (H. Hinnant, "chrono-compatible low-level date algorithms").
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
    }

    /// `2024-05-01`.
    var date: String { "\(year)-\(Self.two(month))-\(Self.two(day))" }
    /// `12:00:05`.
    var clock: String { "\(Self.two(hour)):\(Self.two(minute)):\(Self.two(second))" }

    private static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
}

/// Quotient rounded down and the remainder that goes with it (0 ≤ remainder < divisor).
private func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
    let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
    return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
}

/// Parses an ISO 8601 time as users type it, UTC unless an offset is given: `2024-05-01`,
/// `2024-05-01T12:00`, `2024-05-01 12:00:05`, `2024-05-01T12:00:05.25Z`, `…+02:00`. Returns
/// nanoseconds since the Unix epoch, or nil when the text is no such time.
public func parseTimestamp(_ text: String) -> Int64? {
    var rest = Substring(text)
    func number(_ digits: Int) -> Int64? {
        let part = rest.prefix(digits)
        guard part.count == digits, part.allSatisfy(\.isASCII), let value = Int64(part) else { return nil }
        rest = rest.dropFirst(digits)
        return value
    }
    func skip(_ separator: Character) -> Bool {
        guard rest.first == separator else { return false }
        rest = rest.dropFirst()
        return true
    }
    guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2),
          (1...12).contains(month), (1...31).contains(day) else { return nil }
    var seconds: Int64 = 0, fraction: Int64 = 0
    if skip("T") || skip(" ") {
        guard let hour = number(2), skip(":"), let minute = number(2), hour < 24, minute < 60 else { return nil }
        seconds = hour * 3600 + minute * 60
        if skip(":") {
            guard let second = number(2), second < 61 else { return nil }
            seconds += second
            if skip(".") {
                let digits = rest.prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty, digits.count <= 9, let value = Int64(digits) else { return nil }
                fraction = value * Int64(pow10(9 - digits.count))
                rest = rest.dropFirst(digits.count)
            }
        }
        if skip("Z") {
        } else if let sign = rest.first, sign == "+" || sign == "-" {
            rest = rest.dropFirst()
            guard let hours = number(2), skip(":"), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            seconds -= (sign == "+" ? 1 : -1) * (hours * 3600 + minutes * 60)
        }
    }
    guard rest.isEmpty else { return nil }
    // Days from the civil date (H. Hinnant's algorithm, the inverse of formatTimestamp's).
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    let days = era * 146_097 + dayOfEra - 719_468
    return (days * 86400 + seconds) * 1_000_000_000 + fraction
}

private func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { result, _ in result * 10 } }
