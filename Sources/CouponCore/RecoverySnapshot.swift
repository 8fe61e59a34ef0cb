/// One partition as the archive holds it: what `coupon recover` writes back to Redis.
public struct RecoverySnapshot: Sendable {
    /// The partition's coupons (their `issued` is 0: the issued hashes come from `issuances`).
    public var coupons: [Coupon] = []
    /// Every projected issuance of those coupons.
    public var issuances: [Issuance] = []
    /// Every archived event of the partition in log order, as its original fields.
    public var events: [(id: StreamID, fields: [LoggedEvent.Field])] = []

    public init() {}
}
