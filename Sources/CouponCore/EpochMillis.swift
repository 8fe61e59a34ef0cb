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

    /// Formats as `2026-11-26T09:00:00.000Z`.
    public static func format(_ millis: Int64) -> String {
        fractional.format(Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
