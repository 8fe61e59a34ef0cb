import ArgumentParser
import CouponStore
import CouponWorker

/// Options of the commands that project the log into SQL.
struct ProjectionOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOption

    @Option(help: "Events per batch, projected in one transaction (env COUPON_BATCH_SIZE).")
    var batchSize: Int = Environment.int("COUPON_BATCH_SIZE", default: 1000)

    @Option(help: "Seconds before a dead consumer's pending entries are taken over (env COUPON_CLAIM_TIMEOUT).")
    var claimTimeout: Double = Double(Environment.string("COUPON_CLAIM_TIMEOUT", default: "30")) ?? 30

    @Option(help: "Deliveries after which an entry goes to the dead-letter stream (env COUPON_MAX_DELIVERIES).")
    var maxDeliveries: Int = Environment.int("COUPON_MAX_DELIVERIES", default: 5)

    func validate() throws {
        guard (1...100_000).contains(batchSize) else { throw ValidationError("batch-size must be 1–100000") }
        guard claimTimeout > 0 else { throw ValidationError("claim-timeout must be positive") }
        guard maxDeliveries >= 1 else { throw ValidationError("max-deliveries must be at least 1") }
    }

    func databaseURL() throws -> DatabaseURL { try database.url() }

    func workerConfiguration(common: CommonOptions, consumer: String?) throws -> WorkerConfiguration {
        WorkerConfiguration(
            consumer: consumer ?? WorkerConfiguration.defaultConsumerName(),
            partitioning: try common.partitioning(),
            batchSize: batchSize,
            claimTimeout: .milliseconds(Int64(claimTimeout * 1000)),
            maxDeliveries: maxDeliveries)
    }
}
