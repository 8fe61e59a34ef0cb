import CouponCore
import CouponMetrics
import Metrics
import Prometheus

/// One registry per process: the service's own metrics, and whatever swift-metrics records
/// (Hummingbird's HTTP middleware) routed into the same registry, so `GET /metrics` shows both.
enum MetricsBootstrap {
    /// Hummingbird's counters under Prometheus's conventions (counters end in `_total`).
    static let renamed = [
        "hb.requests": "http_server_requests_total",
        "hb.request.errors": "http_server_request_errors_total",
    ]

    static func serviceMetrics(_ partitioning: Partitioning) -> ServiceMetrics {
        let metrics = ServiceMetrics(partitioning: partitioning)
        var factory = PrometheusMetricsFactory(registry: metrics.registry)
        factory.nameAndLabelSanitizer = { name, labels in (renamed[name] ?? name, labels) }
        MetricsSystem.bootstrap(factory)
        return metrics
    }
}
