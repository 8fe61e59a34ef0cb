/// Kafka-style partitioning of the key space: coupon `id` lives in partition `id mod P`, and
/// every key of a partition carries the hash tag `{p}`, so one script touches one hash slot.
public struct Partitioning: Sendable, Equatable {
    public static let maxPartitions = 1024
    /// Where the partition count chosen at `coupon init` is recorded.
    public static let partitionsKey = "cpn:partitions"

    public let count: Int

    public init(count: Int) throws(ValidationError) {
        guard (1...Partitioning.maxPartitions).contains(count) else {
            throw ValidationError("partitions must be between 1 and \(Partitioning.maxPartitions)")
        }
        self.count = count
    }

    public func partition(of coupon: CouponID) -> Int { Int(coupon.value % Int64(count)) }
    public var all: Range<Int> { 0..<count }

    public static func generationKey(_ p: Int) -> String { "cpn:{\(p)}:gen" }
    public static func couponKeyPrefix(_ p: Int) -> String { "cpn:{\(p)}:coupon:" }
    public static func couponKey(_ p: Int, _ id: CouponID) -> String { couponKeyPrefix(p) + id.description }
    public static func issuedKey(_ p: Int, _ id: CouponID) -> String { couponKey(p, id) + ":issued" }
    public static func eventsKey(_ p: Int) -> String { "cpn:{\(p)}:events" }
    /// The consumer group on every partition's stream: the workers read through it; recovery
    /// positions it, the audit and the metrics read its pending entries.
    public static let projectionGroup = "projector"
    public static func deadKey(_ p: Int) -> String { "cpn:{\(p)}:dead" }
    /// Counter behind the coupon ids of partition p (id = n·P + p).
    public static func couponSequenceKey(_ p: Int) -> String { "cpn:{\(p)}:coupon-seq" }
}
