/// How fast a coupon was issued: issuances per bucket from the first to the last, and when it
/// sold out. Pure: computed from the definition and the issuance times, whatever the source.
public struct RateReport: Sendable, Equatable {
    public enum Bucket: String, Sendable, CaseIterable {
        case second = "1s"
        case tenSeconds = "10s"
        case minute = "1m"

        public var milliseconds: Int64 {
            switch self {
            case .second: return 1000
            case .tenSeconds: return 10_000
            case .minute: return 60_000
            }
        }
    }

    public struct Count: Sendable, Equatable {
        /// The bucket's start, epoch milliseconds, a multiple of the bucket's length.
        public let start: Int64
        public let count: Int
    }

    /// Every bucket from the first issuance's to the last's, empty ones included.
    public let buckets: [Count]
    /// The time of the issuance with seq = quantity; nil when not sold out.
    public let soldOutAt: Int64?
    /// From the start of the issuance window to `soldOutAt`; nil when not sold out.
    public let secondsToSellOut: Double?

    /// - Parameter issued: the issuances, in any order.
    public init(definition: CouponEvent.Defined, issued: [Issuance], bucket: Bucket) {
        let size = bucket.milliseconds
        var counts: [Int64: Int] = [:]
        for issuance in issued { counts[issuance.issuedAt - issuance.issuedAt % size, default: 0] += 1 }
        if let first = counts.keys.min(), let last = counts.keys.max() {
            buckets = stride(from: first, through: last, by: Int(size)).map { Count(start: $0, count: counts[$0] ?? 0) }
        } else {
            buckets = []
        }
        let last = issued.first { $0.seq == definition.total }
        soldOutAt = last?.issuedAt
        secondsToSellOut = last.map { Double($0.issuedAt - definition.startsAt) / 1000 }
    }
}
