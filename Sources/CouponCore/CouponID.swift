/// A coupon's id: a positive integer that fits in a signed 64-bit column.
public struct CouponID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: Int64

    public init(_ value: Int64) throws(ValidationError) {
        guard value > 0 else { throw ValidationError("coupon id must be a positive integer") }
        self.value = value
    }

    /// Parses a path segment: decimal digits only, 1 … 2^63 − 1. On bytes and not generic: it runs
    /// for every issue request, and the generic `StringProtocol` version, called from another
    /// module unspecialized, was ~3% of a 409's CPU in the Swift pool.
    public init(parsing text: String) throws(ValidationError) {
        var text = text
        guard let value = text.withUTF8(CouponID.decimal) else {
            throw ValidationError("coupon id must be a positive integer below 2^63, got '\(text.prefix(40))'")
        }
        try self.init(value)
    }

    /// 1–19 ASCII digits that fit in an Int64; nil for anything else (signs, spaces, overflow).
    private static func decimal(_ digits: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowShift, !overflowAdd else { return nil }
            value = sum
        }
        return value
    }

    public var description: String { String(value) }
    public static func < (lhs: CouponID, rhs: CouponID) -> Bool { lhs.value < rhs.value }
}
