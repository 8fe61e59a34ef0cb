/// One coupon issued to one user: the answer to a 201, and to every retry after it.
public struct Issuance: Sendable, Equatable {
    public let couponId: CouponID
    public let userId: UserID
    public let seq: Int64
    public let eventId: String
    public let issuedAt: Int64

    public init(couponId: CouponID, userId: UserID, seq: Int64, eventId: String, issuedAt: Int64) {
        self.couponId = couponId
        self.userId = userId
        self.seq = seq
        self.eventId = eventId
        self.issuedAt = issuedAt
    }

    /// Parses the issued hash's value, `"seq eventId issuedAtMs"`, as the admission script writes it.
    public init?(couponId: CouponID, userId: UserID, record: String) {
        let parts = record.split(separator: " ")
        guard parts.count == 3, let seq = Int64(parts[0]), let issuedAt = Int64(parts[2]) else { return nil }
        self.init(couponId: couponId, userId: userId, seq: seq, eventId: String(parts[1]), issuedAt: issuedAt)
    }
}
