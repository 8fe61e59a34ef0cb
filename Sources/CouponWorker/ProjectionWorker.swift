import CouponCore
import CouponLedger
import CouponStore
import Logging
import Redis
import ServiceLifecycle

/// A projection worker: a consumer in group `projector` on every partition stream. Any number of
/// them, in any number of processes, share the work. On graceful shutdown (SIGTERM) each
/// partition finishes its batch, commits, acknowledges, and the worker returns.
public final class ProjectionWorker: Service {
    public let configuration: WorkerConfiguration
    public let lag = LagRecorder()
    private let redis: RedisConfiguration
    private let store: any ProjectionStore
    private let logger: Logger

    public init(
        configuration: WorkerConfiguration, redis: RedisConfiguration, store: any ProjectionStore, logger: Logger
    ) {
        self.configuration = configuration
        self.redis = redis
        self.store = store
        var logger = logger
        logger[metadataKey: "consumer"] = "\(configuration.consumer)"
        self.logger = logger
    }

    public func run() async throws {
        let stop: @Sendable () -> Bool = { Task.isShuttingDownGracefully || Task.isCancelled }
        // No stream is read or created before Redis confirms the partition count: a worker with
        // another P would consume (and create) the wrong partitions' streams.
        let client = RedisClient(configuration: redis.withPoolSize(1), logger: logger)
        defer { client.close() }
        guard
            try await RedisDeployment(client: client).waitUntilVerified(
                configuration.partitioning, logger: logger, stop: stop)
        else { return }
        let consumers = configuration.partitioning.all.map {
            PartitionConsumer(
                partition: $0, configuration: configuration, redis: redis, store: store, lag: lag, logger: logger)
        }
        logger.info("projection worker started on \(consumers.count) partition(s)")
        await withTaskGroup(of: Void.self) { group in
            for consumer in consumers {
                group.addTask {
                    try? await consumer.ensureGroup()
                    await consumer.run(isShuttingDown: stop)
                }
            }
        }
        logger.info("projection worker stopped", metadata: ["lag": "\(lag.summary)"])
    }
}
