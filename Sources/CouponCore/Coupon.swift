/// A defined coupon and how many have been issued (from Redis).
public struct Coupon: Sendable, Equatable {
    public let id: CouponID
    public let name: String
    public let quantity: Int64
    public let startsAt: Int64
    public let endsAt: Int64
    public let definedEventId: String
    public let definedAt: Int64
    public let issued: Int64

    public init(
        id: CouponID, name: String, quantity: Int64, startsAt: Int64, endsAt: Int64,
        definedEventId: String, definedAt: Int64, issued: Int64
    ) {
        self.id = id
        self.name = name
        self.quantity = quantity
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.definedEventId = definedEventId
        self.definedAt = definedAt
        self.issued = issued
    }

    public var remaining: Int64 { max(0, quantity - issued) }
}
