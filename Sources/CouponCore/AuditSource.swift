/// Where audit queries read: the SQL archive (fast, indexed) or the Redis streams (the source of
/// truth). On a caught-up system both answer the same.
public protocol AuditSource: Sendable {
    /// The coupon's events in log order (definition first), strictly after `after`, at most `limit`.
    func timeline(coupon: CouponID, after: StreamID?, limit: Int) async throws -> [AuditEvent]
    /// The coupon's issuances by seq, `fromSeq` … `toSeq` (nil: to the last), at most `limit`
    /// (nil: all).
    func winners(coupon: CouponID, fromSeq: Int64, toSeq: Int64?, limit: Int?) async throws -> [Issuance]
    /// Every coupon this user holds, by coupon id.
    func issuances(user: UserID) async throws -> [Issuance]
    /// The coupon's definition, or nil when the source holds no such coupon.
    func definition(coupon: CouponID) async throws -> CouponEvent.Defined?
}
