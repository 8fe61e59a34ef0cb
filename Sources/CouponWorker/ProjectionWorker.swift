import CouponCore
import CouponLedger
import CouponMetrics
import CouponStore
import Logging
import Redis
import ServiceLifecycle
import Synchronization

/// A projection worker: a consumer in group `projector` on every partition stream. Any number of
/// them, in any number of processes, share the work. On graceful shutdown (SIGTERM) each
/// partition finishes its batch, commits, acknowledges, and the worker returns.
public final class ProjectionWorker: Service {
    public let configuration: WorkerConfiguration
    public let lag = LagRecorder()
    private let redis: RedisConfiguration
    private let store: any ProjectionStore
    private let logger: Logger
    private let metrics: ProjectionMetrics?

    public init(
        configuration: WorkerConfiguration, redis: RedisConfiguration, store: any ProjectionStore, logger: Logger,
        metrics: ProjectionMetrics? = nil
    ) {
        self.metrics = metrics
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
        let deployment = DeploymentGuard(client: client, store: store, partitioning: configuration.partitioning)
        // A database that cannot write yet (locked by another process, a MariaDB still starting
        // or restarting) delays the start; it does not end the worker.
        guard
            try await StoreOpening.retryingTransient(
                "cannot record the deployment in the database yet", logger: logger, stop: stop,
                { try await deployment.check() }) != nil
        else { return }
        // A consumer that finds the database belongs to another deployment stops them all.
        let mismatch = Mutex<DeploymentMismatch?>(nil)
        let halt: @Sendable () -> Bool = { stop() || mismatch.withLock { $0 != nil } }
        // On a cluster the partitions share one client (see PartitionConsumer).
        let shared = client.isCluster == true ? (client, configuration.linger) : nil
        let consumers = configuration.partitioning.all.map {
            PartitionConsumer(
                partition: $0, configuration: configuration, redis: redis, sharedClient: shared, store: store,
                lag: lag, logger: logger,
                metrics: metrics,
                groupLost: {
                    do {
                        try await deployment.check()
                    } catch let error as DeploymentMismatch {
                        mismatch.withLock { $0 = error }
                    }
                })
        }
        logger.info("projection worker started on \(consumers.count) partition(s)")
        await withTaskGroup(of: Void.self) { group in
            for consumer in consumers {
                group.addTask {
                    try? await consumer.ensureGroup()
                    await consumer.run(isShuttingDown: halt)
                }
            }
        }
        logger.info("projection worker stopped", metadata: ["lag": "\(lag.summary)"])
        if let error = mismatch.withLock({ $0 }) {
            logger.error("ALARM: projection stopped", metadata: ["error": "\(error)"])
            throw error
        }
    }
}
