import CouponLedger
import CouponMetrics
import CouponStore
import Foundation
import Hummingbird
import Redis

/// `GET /metrics`: the Prometheus text format. The log's gauges (stream length, pending, dead
/// letters) are read from Redis at scrape time.
public struct MetricsController: Sendable {
    let metrics: ServiceMetrics
    let redis: RedisClient
    /// Lists the coupons on sale for the sale gauges; nil without a projection database.
    let projection: (any ProjectionStore)?
    /// The final-answer cache whose size is exported; nil when it is off.
    let finalAnswers: FinalAnswers?

    public init(
        metrics: ServiceMetrics, redis: RedisClient, projection: (any ProjectionStore)?,
        finalAnswers: FinalAnswers? = nil
    ) {
        self.metrics = metrics
        self.redis = redis
        self.projection = projection
        self.finalAnswers = finalAnswers
    }

    public func addRoutes(to router: Router<some RequestContext>) {
        router.get("metrics") { _, _ in
            await metrics.log.refresh(from: redis)
            if let size = finalAnswers?.size {
                metrics.sales.finalAnswers(coupons: size.coupons, holders: size.holders)
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            if let onSale = try? await projection?.coupons(
                activeFrom: now - SaleGauges.window, to: now + SaleGauges.window, limit: SaleGauges.limit)
            {
                await metrics.sales.refresh(onSale: onSale, from: redis)
            }
            return Response(
                status: .ok, headers: [.contentType: ServiceMetrics.contentType],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
    }
}
