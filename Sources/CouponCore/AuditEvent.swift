/// One event of the log as audit queries show it: where it is in the log and what it says.
public struct AuditEvent: Sendable, Equatable {
    public let partition: Int
    public let id: StreamID
    public let type: String
    public let coupon: CouponID
    /// The holder, for `CouponIssued`; nil for definitions.
    public let user: String?
    /// The issuance's sequence number, for `CouponIssued`; nil for definitions.
    public let seq: Int64?
    /// Epoch milliseconds on the Redis clock.
    public let at: Int64

    public init(partition: Int, id: StreamID, type: String, coupon: CouponID, user: String?, seq: Int64?, at: Int64) {
        self.partition = partition
        self.id = id
        self.type = type
        self.coupon = coupon
        self.user = user
        self.seq = seq
        self.at = at
    }

    public init(_ logged: LoggedEvent) {
        switch logged.event {
        case .defined(let defined):
            self.init(
                partition: logged.partition, id: logged.id, type: CouponEvent.typeDefined, coupon: defined.coupon,
                user: nil, seq: nil, at: defined.at)
        case .issued(let issued):
            self.init(
                partition: logged.partition, id: logged.id, type: CouponEvent.typeIssued, coupon: issued.coupon,
                user: issued.user.value, seq: issued.seq, at: issued.at)
        }
    }
}
