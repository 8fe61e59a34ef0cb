import CouponCore
import Prometheus
import Redis

/// `coupon_stream_length_entries{partition}`, `coupon_pending_entries{partition}` and
/// `coupon_dead_letters_entries{partition}`, read from Redis when the metrics are scraped (a few
/// commands per partition), so they are exact at scrape time and cost nothing between scrapes.
public struct LogGauges: Sendable {
    private let partitioning: Partitioning
    private let length: [Gauge]
    private let pending: [Gauge]
    private let dead: [Gauge]

    init(_ registry: PrometheusCollectorRegistry, partitioning: Partitioning) {
        self.partitioning = partitioning
        func gauges(_ name: String, _ unit: String, _ help: String) -> [Gauge] {
            let descriptor = MetricNameDescriptor.coupon("", name, unit, help)
            return partitioning.all.map {
                registry.makeGauge(descriptor: descriptor, labels: [("partition", String($0))])
            }
        }
        length = gauges("stream_length", "entries", "Entries in the partition's event stream (the log).")
        pending = gauges("pending", "entries", "Entries delivered to a projection worker and not yet acknowledged.")
        dead = gauges("dead_letters", "entries", "Entries moved to the partition's dead-letter stream.")
    }

    /// Reads the current values; a partition Redis cannot answer for keeps its last values.
    public func refresh(from client: RedisClient) async {
        for p in partitioning.all {
            if let entries = try? await client.send(.xlen(Partitioning.eventsKey(p))).int {
                length[p].set(to: Double(entries))
            }
            if let dead = try? await client.send(.xlen(Partitioning.deadKey(p))).int {
                self.dead[p].set(to: Double(dead))
            }
            do {
                let summary = try await client.send(
                    RedisCommand("XPENDING", Partitioning.eventsKey(p), Partitioning.projectionGroup))
                pending[p].set(to: Double(summary.array?.first?.int ?? 0))
            } catch let error as RedisError where error.serverKind == .noGroup {
                pending[p].set(to: 0)  // no group yet: nothing delivered, nothing pending
            } catch {}
        }
    }
}
