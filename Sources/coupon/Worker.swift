import ArgumentParser
import CouponLedger
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

    func run() async throws {
        let logger = common.makeLogger(label: "coupon-worker")
        let redis = try common.redisConfiguration()
        let partitioning = try common.partitioning()
        let client = RedisClient(configuration: redis, logger: logger)
        try await RedisDeployment(client: client).verify(partitioning)
        client.close()
        let store = try await ProjectionStores.open(try projection.databaseURL())
        _ = try await store.migrate()
        let worker = ProjectionWorker(
            configuration: try projection.workerConfiguration(
                common: common, consumer: consumer.isEmpty ? nil : consumer),
            redis: redis, store: store, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
