import CouponCore
import Prometheus

/// Every metric one process exports, in one Prometheus registry that `GET /metrics` renders. Each
/// application has its own (tests build many in one process); the executables also route
/// swift-metrics (Hummingbird's HTTP middleware) into the same registry.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let issues: IssueMetrics
    public let redis: RedisRoundTripMetrics
    public let projection: ProjectionMetrics
    public let log: LogGauges
    public let sales: SaleGauges

    public init(partitioning: Partitioning, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        issues = IssueMetrics(registry)
        redis = RedisRoundTripMetrics(registry)
        projection = ProjectionMetrics(registry, partitioning: partitioning)
        log = LogGauges(registry, partitioning: partitioning)
        sales = SaleGauges(registry, partitioning: partitioning)
    }

    /// The Prometheus text exposition format (version 0.0.4).
    public func render() -> String { registry.emitToString() }

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}

extension MetricNameDescriptor {
    /// `coupon_<subsystem>_<name>_<unit>`.
    static func coupon(_ subsystem: String, _ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "coupon", subsystem: subsystem, metricName: name, unitName: unit, helpText: help)
    }
}
