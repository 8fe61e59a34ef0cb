/// A coupon definition as asked for, validated before anything is written.
/// Times are epoch milliseconds; a missing start means "now" and a missing end "start + 24 h",
/// both decided on the Redis clock by the define script.
public struct CouponDraft: Sendable, Equatable {
    public static let maxNameLength = 200
    public static let maxQuantity: Int64 = 1_000_000_000
    /// 9999-12-31T23:59:59.999Z: keeps every time exact in Lua's doubles and in BIGINT columns.
    public static let latestTime: Int64 = 253_402_300_799_999
    public static let defaultWindow: Int64 = 24 * 60 * 60 * 1000

    public let name: String
    public let quantity: Int64
    public let startsAt: Int64?
    public let endsAt: Int64?

    public init(name: String, quantity: Int64, startsAt: Int64?, endsAt: Int64?) throws(ValidationError) {
        let trimmed = name.trimmingWhitespace
        guard !trimmed.isEmpty else { throw ValidationError("name must not be empty") }
        guard trimmed.unicodeScalars.count <= CouponDraft.maxNameLength else {
            throw ValidationError("name must be at most \(CouponDraft.maxNameLength) characters")
        }
        guard trimmed.unicodeScalars.allSatisfy(UserID.isPrintable) else {
            throw ValidationError("name must contain printable characters only")
        }
        guard quantity > 0 else { throw ValidationError("quantity must be at least 1") }
        guard quantity <= CouponDraft.maxQuantity else {
            throw ValidationError("quantity must be at most \(CouponDraft.maxQuantity)")
        }
        for time in [startsAt, endsAt].compactMap({ $0 }) where !(0...CouponDraft.latestTime).contains(time) {
            throw ValidationError("times must lie between 1970 and the end of 9999")
        }
        if let startsAt, let endsAt, endsAt <= startsAt {
            throw ValidationError("endsAt must be after startsAt")
        }
        self.name = trimmed
        self.quantity = quantity
        self.startsAt = startsAt
        self.endsAt = endsAt
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

extension CouponDraft {
    /// A draft from the ISO 8601 times the API and the command line take.
    public static func parsing(name: String, quantity: Int64, startsAt: String?, endsAt: String?)
        throws(ValidationError) -> CouponDraft
    {
        func millis(_ text: String?) throws(ValidationError) -> Int64? {
            guard let text else { return nil }
            return try EpochMillis.parse(text)
        }
        return try CouponDraft(name: name, quantity: quantity, startsAt: millis(startsAt), endsAt: millis(endsAt))
    }
}
