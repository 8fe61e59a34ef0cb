import CouponCore
import Redis
import Synchronization

/// Nothing is admitted, defined or looked up until the partition count this process routes by has
/// been checked against the one recorded in Redis (`cpn:partitions`): a process started while
/// Redis was down, or reconnected to a server initialised differently, must never route a coupon
/// to the wrong partition. Until the check passes every call fails `unavailable` (503). It runs
/// again whenever a connection of the pool was (re-)established; otherwise it costs one atomic load.
final class PartitionGuard: Sendable {
    private let client: RedisClient
    private let partitioning: Partitioning
    /// The pool's connection epoch at the last successful check; -1 before the first.
    private let verifiedEpoch = Atomic<Int>(-1)

    init(client: RedisClient, partitioning: Partitioning) {
        self.client = client
        self.partitioning = partitioning
    }

    func ensureVerified() async throws {
        // Read before the check: a reconnect during it leaves the epoch changed, so the next call
        // checks again.
        let epoch = client.connectionEpoch
        if verifiedEpoch.load(ordering: .acquiring) == epoch { return }
        let confirmed: Bool
        do {
            confirmed = try await RedisDeployment(client: client).confirms(partitioning)
        } catch let error as RedisError {
            throw LedgerError.unavailable(error.description)
        }
        guard confirmed else {
            throw LedgerError.unavailable(
                "the deployment is not initialised (\(Partitioning.partitionsKey) is missing)")
        }
        verifiedEpoch.store(epoch, ordering: .releasing)
    }
}
