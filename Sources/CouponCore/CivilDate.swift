/// A day of the proleptic Gregorian calendar, from days since 1970-01-01, by arithmetic (Howard
/// Hinnant's days-to-civil): for the times in answers and the HTTP `Date` header, which are
/// written on every request and where Foundation's formatters cost several times more.
public struct CivilDate: Equatable, Sendable {
    public let year: Int
    /// 1–12.
    public let month: Int
    /// 1–31.
    public let day: Int
    /// 0 Sunday … 6 Saturday.
    public let weekday: Int

    /// `days` ≥ 0 (nothing here writes times before 1970).
    public init(daysSince1970 days: Int) {
        // Days since 0000-03-01 in 400-year eras: March first, so the leap day ends a year.
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        weekday = (days + 4) % 7  // 1970-01-01 was a Thursday
    }

    /// Writes `value` as `digits` decimal digits, zero-padded, into `text` at `offset`.
    public static func put(_ value: Int, digits: Int, at offset: Int, into text: UnsafeMutableBufferPointer<UInt8>) {
        var value = value
        for index in stride(from: offset + digits - 1, through: offset, by: -1) {
            text[index] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
    }
}
