import Prometheus
import Redis

/// `coupon_redis_round_trip_seconds` and `coupon_redis_pipeline_depth_commands`: one sample per
/// round trip of a pipelined connection (its commands share it).
public struct RedisRoundTripMetrics: RedisMetricsRecorder {
    private let duration: DurationHistogram
    private let depth: ValueHistogram

    init(_ registry: PrometheusCollectorRegistry) {
        duration = registry.makeDurationHistogram(
            descriptor: .coupon("redis", "round_trip", "seconds", "Time of one pipelined round trip to Redis."),
            labels: [],
            buckets: [
                .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(250),
                .seconds(1),
            ])
        depth = registry.makeValueHistogram(
            descriptor: .coupon("redis", "pipeline_depth", "commands", "Commands carried by one round trip to Redis."),
            labels: [], buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
    }

    public func recordRoundTrip(commands: Int, duration: Duration) {
        self.duration.record(duration)
        depth.record(Double(commands))
    }
}
