import CouponCore
import Foundation
import Logging
import Redis

/// The deployment's identity in Redis: the partition count and one generation key per partition.
/// Only `coupon init` writes them, so a Redis that comes back empty stays unavailable (503)
/// until an operator acts, instead of issuing the same coupons a second time.
public struct RedisDeployment: Sendable {
    public let client: RedisClient

    public init(client: RedisClient) { self.client = client }

    public struct State: Sendable, Equatable {
        public let partitions: Int
        public let generation: String
        /// False when everything was already in place and nothing was written.
        public let created: Bool
    }

    /// Writes the partition count and the generation keys once. Running it again changes nothing;
    /// a different partition count is refused.
    public func initialise(_ partitioning: Partitioning) async throws -> State {
        let wrote = try await client.send(
            RedisCommand("SET", Partitioning.partitionsKey, String(partitioning.count), "NX"))
        _ = try await confirms(partitioning)
        // Partition 0's key decides the generation id: two inits racing both read back the winner's.
        let claimed = try await client.send(
            RedisCommand("SET", Partitioning.generationKey(0), UUID().uuidString.lowercased(), "NX"))
        guard let generation = try await client.send(.get(Partitioning.generationKey(0))).string else {
            throw LedgerError.unexpected("\(Partitioning.generationKey(0)) vanished during init")
        }
        var created = !wrote.isNull || !claimed.isNull
        for p in partitioning.all.dropFirst() {
            let set = try await client.send(RedisCommand("SET", Partitioning.generationKey(p), generation, "NX"))
            created = created || !set.isNull
        }
        return State(partitions: partitioning.count, generation: generation, created: created)
    }

    /// The partition count recorded at init, or nil before init (or after Redis lost its data).
    public func recordedPartitions() async throws -> Int? {
        let reply = try await client.send(.get(Partitioning.partitionsKey))
        if reply.isNull { return nil }
        guard let value = reply.string.flatMap({ Int($0) }) else {
            throw LedgerError.unexpected("\(Partitioning.partitionsKey) holds \(reply)")
        }
        return value
    }

    /// The one comparison of this process's partition count with the deployment's: true when Redis
    /// records the same count, false when it records none (before init, or after it lost its
    /// data); throws `partitionMismatch` when it records another, and the Redis error when it
    /// cannot answer.
    public func confirms(_ partitioning: Partitioning) async throws -> Bool {
        guard let recorded = try await recordedPartitions() else { return false }
        guard recorded == partitioning.count else {
            throw LedgerError.partitionMismatch(configured: partitioning.count, recorded: recorded)
        }
        return true
    }

    /// Waits until Redis answers and holds a partition count, then throws `partitionMismatch` if it
    /// is not this one. Returns false if `stop()` said to give up first (graceful shutdown).
    public func waitUntilVerified(
        _ partitioning: Partitioning, logger: Logger, stop: @Sendable () -> Bool
    ) async throws -> Bool {
        var waiting: String?
        while !stop() {
            let reason: String
            do {
                if try await confirms(partitioning) {
                    if waiting != nil { logger.notice("partition count \(partitioning.count) confirmed by Redis") }
                    return true
                }
                reason = "the deployment is not initialised: run `coupon init`"
            } catch let error as RedisError {
                reason = error.description
            }
            if waiting != reason {
                logger.warning("waiting for Redis to confirm the partition count", metadata: ["reason": "\(reason)"])
                waiting = reason
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    /// Refuses to start with a partition count other than the recorded one. Before init, or with
    /// Redis down, there is nothing to compare yet: readiness reports it instead.
    public func verify(_ partitioning: Partitioning) async throws {
        do {
            _ = try await confirms(partitioning)
        } catch is RedisError {
            // Redis is down: nothing to compare yet.
        }
    }

}
