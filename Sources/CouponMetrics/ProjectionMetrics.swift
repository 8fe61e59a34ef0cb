import CouponCore
import Prometheus

/// `coupon_projection_events_total{partition}`, `coupon_projection_batch_size_events` and
/// `coupon_projection_lag_seconds` (an event's Redis time to the commit of its row).
public struct ProjectionMetrics: Sendable {
    private let events: [Counter]
    private let batchSize: ValueHistogram
    private let lag: DurationHistogram

    init(_ registry: PrometheusCollectorRegistry, partitioning: Partitioning) {
        let events = MetricNameDescriptor.coupon(
            "projection", "events", "total", "Events committed to the SQL projection, by partition.")
        self.events = partitioning.all.map {
            registry.makeCounter(descriptor: events, labels: [("partition", String($0))])
        }
        batchSize = registry.makeValueHistogram(
            descriptor: .coupon("projection", "batch_size", "events", "Events per committed projection batch."),
            labels: [], buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000])
        lag = registry.makeDurationHistogram(
            descriptor: .coupon(
                "projection", "lag", "seconds", "From an issuance's Redis time to the commit of its projected row."),
            labels: [],
            buckets: [
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
                .seconds(30), .seconds(60),
            ])
    }

    /// One committed batch of a partition, with the lag of each issuance in it (milliseconds).
    public func committed(partition: Int, events count: Int, lagMilliseconds: [Int64]) {
        guard count > 0 else { return }
        if events.indices.contains(partition) { events[partition].increment(by: Int64(count)) }
        batchSize.record(Double(count))
        for milliseconds in lagMilliseconds { lag.record(.milliseconds(max(0, milliseconds))) }
    }
}
