/// A coupon's id: a positive integer that fits in a signed 64-bit column.
public struct CouponID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: Int64

    public init(_ value: Int64) throws(ValidationError) {
        guard value > 0 else { throw ValidationError("coupon id must be a positive integer") }
        self.value = value
    }

    /// Parses a path segment: decimal digits only, 1 … 2^63 − 1.
    public init(parsing text: some StringProtocol) throws(ValidationError) {
        guard !text.isEmpty, text.count <= 19, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let value = Int64(text)
        else {
            throw ValidationError("coupon id must be a positive integer below 2^63, got '\(text.prefix(40))'")
        }
        try self.init(value)
    }

    public var description: String { String(value) }
    public static func < (lhs: CouponID, rhs: CouponID) -> Bool { lhs.value < rhs.value }
}
