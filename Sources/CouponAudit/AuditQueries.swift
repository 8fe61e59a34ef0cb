import CouponCore

/// The audit questions, over any source: who won, in what order, how fast, what one user holds.
/// The CLI and the HTTP routes both answer through this, so they cannot disagree.
public struct AuditQueries: Sendable {
    public let source: any AuditSource

    /// Largest page a caller may ask for.
    public static let maxLimit = 1000
    public static let defaultLimit = 100
    /// A rate report longer than this asks for a larger bucket instead.
    public static let maxBuckets: Int64 = 100_000

    public init(source: any AuditSource) {
        self.source = source
    }

    /// A page of the coupon's events after `after`, and the cursor for the next page (nil on the
    /// last page). Throws `couponNotFound` for a coupon the source does not know.
    public func timeline(coupon: CouponID, after: StreamID?, limit: Int) async throws -> (
        events: [AuditEvent], next: StreamID?
    ) {
        try await requireCoupon(coupon)
        // One more than asked tells whether another page follows, without a count query.
        let events = try await source.timeline(coupon: coupon, after: after, limit: limit + 1)
        let page = Array(events.prefix(limit))
        return (page, events.count > limit ? page.last?.id : nil)
    }

    public func winners(coupon: CouponID, fromSeq: Int64, toSeq: Int64?, limit: Int?) async throws -> [Issuance] {
        try await requireCoupon(coupon)
        return try await source.winners(coupon: coupon, fromSeq: fromSeq, toSeq: toSeq, limit: limit)
    }

    public func holdings(user: UserID) async throws -> [Issuance] {
        try await source.issuances(user: user)
    }

    public func rate(coupon: CouponID, bucket: RateReport.Bucket) async throws -> RateReport {
        guard let definition = try await source.definition(coupon: coupon) else {
            throw AuditError.couponNotFound(coupon)
        }
        let issued = try await source.winners(coupon: coupon, fromSeq: 1, toSeq: nil, limit: nil)
        if let first = issued.map(\.issuedAt).min(), let last = issued.map(\.issuedAt).max(),
            (last - first) / bucket.milliseconds >= AuditQueries.maxBuckets
        {
            throw AuditError.tooManyBuckets(bucket)
        }
        return RateReport(definition: definition, issued: issued, bucket: bucket)
    }

    private func requireCoupon(_ coupon: CouponID) async throws {
        guard try await source.definition(coupon: coupon) != nil else { throw AuditError.couponNotFound(coupon) }
    }
}

public enum AuditError: Error, Sendable, CustomStringConvertible {
    case couponNotFound(CouponID)
    case tooManyBuckets(RateReport.Bucket)

    public var description: String {
        switch self {
        case .couponNotFound(let coupon): return "no coupon \(coupon) in this source"
        case .tooManyBuckets(let bucket):
            return
                "issuances span more than \(AuditQueries.maxBuckets) buckets of \(bucket.rawValue): choose a larger bucket"
        }
    }
}
