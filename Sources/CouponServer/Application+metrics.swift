import CouponMetrics
import CouponStore
import Foundation
import Hummingbird
import Logging
import Redis

/// The small HTTP server a `coupon worker --metrics-port` runs beside its projection:
/// `GET /metrics` (the same text the API serves) and `GET /healthz`.
public func buildMetricsApplication(
    host: String, port: Int, metrics: ServiceMetrics, redis: RedisClient, projection: (any ProjectionStore)?,
    logger: Logger
) -> some ApplicationProtocol {
    let router = Router()
    HealthStatus.addLiveness(to: router)
    MetricsController(metrics: metrics, redis: redis, projection: projection).addRoutes(to: router)
    var app = Application(
        router: router, configuration: .init(address: .hostname(host, port: port)),
        onServerRunning: { channel in
            let bound = channel.localAddress?.port ?? port
            FileHandle.standardOutput.write(Data("coupon worker: metrics on http://\(host):\(bound)/metrics\n".utf8))
        },
        logger: logger)
    app.addServices(redis)
    return app
}
