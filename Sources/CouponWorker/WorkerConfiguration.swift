import CouponCore
import Foundation

/// How a projection worker consumes the log.
public struct WorkerConfiguration: Sendable {
    /// This worker's consumer name: unique per worker, stable across restarts of the same worker
    /// so that it drains its own pending entries first.
    public var consumer: String
    public var partitioning: Partitioning
    /// Entries read, and projected in one transaction, at a time.
    public var batchSize: Int
    /// How long one blocking read waits for new entries (also bounds how long SIGTERM waits).
    public var block: Duration
    /// Entries pending this long on another consumer are taken over (that consumer is presumed dead).
    public var claimTimeout: Duration
    /// This worker's own failed entries are retried once they have been pending this long.
    public var retryDelay: Duration
    /// An entry delivered more often than this goes to `cpn:{p}:dead`.
    public var maxDeliveries: Int
    /// After a batch smaller than `batchSize` (a trickle of events), the worker waits this long
    /// before it reads again, so the next batch gathers more: fewer, larger transactions for the
    /// same events, at the price of up to this much more lag. A full batch (catching up) is
    /// followed at once.
    public var linger: Duration = .milliseconds(50)

    public init(
        consumer: String = WorkerConfiguration.defaultConsumerName(),
        partitioning: Partitioning,
        batchSize: Int = 1000,
        block: Duration = .milliseconds(500),
        claimTimeout: Duration = .seconds(30),
        retryDelay: Duration = .seconds(1),
        maxDeliveries: Int = 5
    ) {
        self.consumer = consumer
        self.partitioning = partitioning
        self.batchSize = batchSize
        self.block = block
        self.claimTimeout = claimTimeout
        self.retryDelay = retryDelay
        self.maxDeliveries = maxDeliveries
    }

    public static func defaultConsumerName() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}
