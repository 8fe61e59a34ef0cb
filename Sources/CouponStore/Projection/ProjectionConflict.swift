import CouponCore

/// Two different events claim the same row (same user, or same seq, of one coupon): the log and
/// the projection disagree, which must never be papered over by an idempotent insert.
public struct ProjectionConflict: Error, Sendable, CustomStringConvertible {
    public let partition: Int
    public let eventId: StreamID
    public let detail: String

    public init(partition: Int, eventId: StreamID, detail: String) {
        self.partition = partition
        self.eventId = eventId
        self.detail = detail
    }

    public var description: String { "projection conflict at \(partition)/\(eventId): \(detail)" }
}
