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
        guard let id = text.withUTF8(CouponID.init(digits:)) else {
            throw ValidationError("coupon id must be a positive integer below 2^63, got '\(text.prefix(40))'")
        }
        self = id
    }

    /// The same rule on bytes (a path read on the event loop); nil for anything it refuses.
    public init?(digits: UnsafeBufferPointer<UInt8>) {
        // At most 19 digits, as before: a longer run of leading zeros was refused, and still is.
        guard digits.count <= 19, let parsed = ASCIIDecimal.parse(digits), let value = Int64(exactly: parsed),
            let id = try? CouponID(value)
        else { return nil }
        self = id
    }

    public var description: String { String(value) }
    public static func < (lhs: CouponID, rhs: CouponID) -> Bool { lhs.value < rhs.value }
}
