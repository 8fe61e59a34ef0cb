import ArgumentParser
import CouponLedger
import CouponServer
import CouponStore
import CouponWorker
import Redis
import ServiceLifecycle

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a projection worker: consumer group `projector` on every partition, into SQL.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var projection: ProjectionOptions

    @Option(help: "Consumer name, unique per worker (env COUPON_CONSUMER; default host-pid).")
    var consumer: String = OptionEnvironment.string("COUPON_CONSUMER", default: "")

    @Option(help: "Serve GET /metrics (Prometheus) and /healthz on this port; 0: none (env COUPON_METRICS_PORT).")
    var metricsPort: Int = OptionEnvironment.int("COUPON_METRICS_PORT", default: 0)

    @Option(help: "Address the metrics port listens on (env COUPON_METRICS_HOST).")
    var metricsHost: String = OptionEnvironment.string("COUPON_METRICS_HOST", default: "127.0.0.1")

    func validate() throws {
        guard (0...65535).contains(metricsPort) else {
            throw ValidationError("metrics-port must be 0–65535 (0: none), got \(metricsPort)")
        }
    }

    func run() async throws {
        let logger = common.makeLogger(label: "coupon-worker")
        let redis = try common.redisConfiguration()
        let partitioning = try common.partitioning()
        // The worker itself waits for Redis to confirm the partition count before it reads a stream.
        let store = try await StoreOpening.open(try projection.databaseURL(), logger: logger)
        let metrics = MetricsBootstrap.serviceMetrics(partitioning)
        let worker = ProjectionWorker(
            configuration: try projection.workerConfiguration(
                common: common, consumer: consumer.isEmpty ? nil : consumer),
            redis: redis, store: store, logger: logger, metrics: metrics.projection)
        var services: [any Service] = [worker]
        if metricsPort > 0 {
            let gaugeClient = RedisClient(configuration: redis.withPoolSize(1), logger: logger)
            services.insert(
                buildMetricsApplication(
                    host: metricsHost, port: metricsPort, metrics: metrics, redis: gaugeClient, projection: store,
                    logger: logger),
                at: 0)
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
