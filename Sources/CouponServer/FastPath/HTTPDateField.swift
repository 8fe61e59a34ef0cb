import CouponCore
import Foundation
import HTTPTypes

/// The `Date` field (RFC 9110's IMF-fixdate, `Fri, 04 Dec 2026 17:20:00 GMT`), made anew once a
/// second: each connection's fast path keeps its own, so nothing is shared between event loops.
struct HTTPDateField {
    private var second = -1
    private var field = HTTPField(name: .date, value: "")

    mutating func now() -> HTTPField {
        let now = time(nil)
        if now != second {
            second = now
            field = HTTPField(name: .date, value: Self.format(now))
        }
        return field
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `seconds` since 1970, ≥ 0.
    static func format(_ seconds: Int) -> String {
        let date = CivilDate(daysSince1970: seconds / 86_400)
        let ofDay = seconds % 86_400
        let clock = String(unsafeUninitializedCapacity: 8) { text in
            CivilDate.put(ofDay / 3600, digits: 2, at: 0, into: text)
            CivilDate.put(ofDay / 60 % 60, digits: 2, at: 3, into: text)
            CivilDate.put(ofDay % 60, digits: 2, at: 6, into: text)
            (text[2], text[5]) = (UInt8(ascii: ":"), UInt8(ascii: ":"))
            return 8
        }
        let day = date.day < 10 ? "0\(date.day)" : "\(date.day)"
        return "\(days[date.weekday]), \(day) \(months[date.month - 1]) \(date.year) \(clock) GMT"
    }
}
