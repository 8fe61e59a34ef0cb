import Foundation

/// Times cross every boundary as epoch milliseconds; ISO 8601 only at the edges.
public enum EpochMillis {
    private static let plain = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Parses ISO 8601 with or without fractional seconds, with `Z` or an offset.
    public static func parse(_ text: String) throws(ValidationError) -> Int64 {
        let date: Date
        if let parsed = try? fractional.parse(text) {
            date = parsed
        } else if let parsed = try? plain.parse(text) {
            date = parsed
        } else {
            throw ValidationError("'\(text.prefix(64))' is not an ISO 8601 time like 2026-11-26T09:00:00Z")
        }
        let millis = (date.timeIntervalSince1970 * 1000).rounded()
        guard millis >= 0, millis <= Double(CouponDraft.latestTime) else {
            throw ValidationError("times must lie between 1970 and the end of 9999")
        }
        return Int64(millis)
    }

    /// Formats as `2026-11-26T09:00:00.000Z`, to the millisecond: by arithmetic on the Gregorian
    /// calendar (`CivilDate`). Foundation's `ISO8601FormatStyle` takes a `Date`,
    /// a `Double` of seconds, and truncates its fraction: half of all times came out a millisecond
    /// early. This is also ~4× cheaper (0.19 µs against 0.75 µs here), on every 201 and 409.
    /// Times outside 1970–9999, which nothing here stores, still go to Foundation.
    public static func format(_ millis: Int64) -> String {
        guard (0...CouponDraft.latestTime).contains(millis) else {
            return fractional.format(Date(timeIntervalSince1970: Double(millis) / 1000))
        }
        let millisPerDay: Int64 = 86_400_000
        let date = CivilDate(daysSince1970: Int(millis / millisPerDay))
        let ofDay = Int(millis % millisPerDay)
        return String(unsafeUninitializedCapacity: 24) { text in
            func put(_ value: Int, digits: Int, at offset: Int) {
                CivilDate.put(value, digits: digits, at: offset, into: text)
            }
            put(date.year, digits: 4, at: 0)
            put(date.month, digits: 2, at: 5)
            put(date.day, digits: 2, at: 8)
            put(ofDay / 3_600_000, digits: 2, at: 11)
            put(ofDay / 60_000 % 60, digits: 2, at: 14)
            put(ofDay / 1000 % 60, digits: 2, at: 17)
            put(ofDay % 1000, digits: 3, at: 20)
            (text[4], text[7], text[10]) = (UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "T"))
            (text[13], text[16]) = (UInt8(ascii: ":"), UInt8(ascii: ":"))
            (text[19], text[23]) = (UInt8(ascii: "."), UInt8(ascii: "Z"))
            return 24
        }
    }
}
