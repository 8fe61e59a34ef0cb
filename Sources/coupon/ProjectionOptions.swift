import ArgumentParser
import CouponStore
import CouponWorker

/// Options of the commands that project the log into SQL.
struct ProjectionOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOption

    @Option(help: "Events per batch, projected in one transaction (env COUPON_BATCH_SIZE).")
    var batchSize: Int = OptionEnvironment.int("COUPON_BATCH_SIZE", default: 1000)

    @Option(help: "Seconds before a dead consumer's pending entries are taken over (env COUPON_CLAIM_TIMEOUT).")
    var claimTimeout: Double = OptionEnvironment.double("COUPON_CLAIM_TIMEOUT", default: 30)

    @Option(help: "Deliveries after which an entry goes to the dead-letter stream (env COUPON_MAX_DELIVERIES).")
    var maxDeliveries: Int = OptionEnvironment.int("COUPON_MAX_DELIVERIES", default: 5)

    /// A claim timeout shorter than a live worker can hold a batch would let workers take each
    /// other's entries in flight.
    static let claimTimeoutRange = 1.0...86_400.0

    func validate() throws {
        try OptionEnvironment.check()
        try ProjectionOptions.checkBatchSize(batchSize)
        guard ProjectionOptions.claimTimeoutRange.contains(claimTimeout) else {
            throw ValidationError("claim-timeout must be 1–86400 seconds, got \(claimTimeout)")
        }
        guard (1...1000).contains(maxDeliveries) else {
            throw ValidationError("max-deliveries must be 1–1000, got \(maxDeliveries)")
        }
    }

    static func checkBatchSize(_ batchSize: Int) throws {
        guard (1...100_000).contains(batchSize) else {
            throw ValidationError("batch-size must be 1–100000, got \(batchSize)")
        }
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
