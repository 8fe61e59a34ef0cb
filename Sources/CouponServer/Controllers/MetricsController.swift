import CouponLedger
import CouponMetrics
import CouponStore
import Foundation
import Hummingbird
import Redis

/// `GET /metrics`: the Prometheus text format. The log's gauges (stream length, pending, dead
/// letters) and the sale gauges are read from Redis at scrape time, waiting at most a second:
/// with Redis stalled a scrape still answers, those gauges at their last values.
public struct MetricsController: Sendable {
    let metrics: ServiceMetrics
    let redis: RedisClient
    /// Lists the coupons on sale for the sale gauges; nil without a projection database.
    let projection: (any ProjectionStore)?
    /// The final-answer cache whose size is exported; nil when it is off.
    let finalAnswers: FinalAnswers?
    /// The issue route's admissions waiting on Redis; nil where there is no issue route (a worker).
    let admissionsInFlight: (@Sendable () -> Int)?

    public init(
        metrics: ServiceMetrics, redis: RedisClient, projection: (any ProjectionStore)?,
        finalAnswers: FinalAnswers? = nil, admissionsInFlight: (@Sendable () -> Int)? = nil
    ) {
        self.metrics = metrics
        self.redis = redis
        self.projection = projection
        self.finalAnswers = finalAnswers
        self.admissionsInFlight = admissionsInFlight
    }

    private let reads = BoundedRefresh(limit: .seconds(1))

    public func addRoutes(to router: Router<some RequestContext>) {
        router.get("metrics") { _, _ in
            if let admissionsInFlight { metrics.issues.inFlight(admissionsInFlight()) }
            if let size = finalAnswers?.size {
                metrics.sales.finalAnswers(coupons: size.coupons, holders: size.holders)
            }
            await reads.run { [metrics, redis, projection] in
                await metrics.log.refresh(from: redis)
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                if let onSale = try? await projection?.coupons(
                    activeFrom: now - SaleGauges.window, to: now + SaleGauges.window, limit: SaleGauges.limit)
                {
                    await metrics.sales.refresh(onSale: onSale, from: redis)
                }
            }
            return Response(
                status: .ok, headers: [.contentType: ServiceMetrics.contentType],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
    }
}
