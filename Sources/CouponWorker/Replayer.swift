import CouponCore
import CouponLedger
import CouponStore
import Foundation
import Logging
import Redis
import Synchronization

/// Rebuilds the projection from the log alone: XRANGE over every partition from the start, in
/// large batches, through the same `ProjectionStore.apply` the workers use. Idempotent: replaying
/// over a database that already holds everything changes nothing.
///
/// Partitions replay concurrently, and each fetches its next batch while the current one is
/// applied, so reading Redis and decoding overlap with SQLite's writes (which its own queue
/// serialises).
public struct Replayer: Sendable {
    public let client: RedisClient
    public let store: any ProjectionStore
    public let partitioning: Partitioning
    public let batchSize: Int
    public let logger: Logger

    public init(
        client: RedisClient, store: any ProjectionStore, partitioning: Partitioning, batchSize: Int = 10_000,
        logger: Logger
    ) {
        self.client = client
        self.store = store
        self.partitioning = partitioning
        self.batchSize = batchSize
        self.logger = logger
    }

    public struct Progress: Sendable {
        public var eventsRead = 0
        public var total = 0
        public var rowsWritten = 0
        public var applied = 0
        /// Entries that do not decode (they are the dead-letter stream's business, not replay's).
        public var skipped = 0
        public let started = ContinuousClock.now

        public var elapsed: Duration { ContinuousClock.now - started }
        public var eventsPerSecond: Double {
            let seconds = elapsed.inSeconds
            return seconds > 0 ? Double(eventsRead) / seconds : 0
        }
    }

    /// Replays every partition; `report` is called after each batch with the totals so far.
    public func run(report: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> Progress {
        try await DeploymentGuard(client: client, store: store, partitioning: partitioning).check()
        var initial = Progress()
        for p in partitioning.all {
            initial.total += Int(try await client.send(.xlen(Partitioning.eventsKey(p))).int ?? 0)
        }
        let progress = Totals(initial)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for p in partitioning.all {
                group.addTask {
                    try await replay(partition: p) { read, skipped, result in
                        let snapshot = progress.value.withLock { totals in
                            totals.eventsRead += read
                            totals.skipped += skipped
                            totals.applied += result.applied
                            totals.rowsWritten += result.rowsWritten
                            totals.total = max(totals.total, totals.eventsRead)
                            return totals
                        }
                        report(snapshot)
                    }
                }
            }
            try await group.waitForAll()
        }
        return progress.value.withLock { $0 }
    }

    /// The running totals, shared by the partitions' tasks.
    private final class Totals: Sendable {
        let value: Mutex<Progress>
        init(_ initial: Progress) { value = Mutex(initial) }
    }

    private func replay(
        partition p: Int, batchDone: (_ read: Int, _ skipped: Int, ProjectionResult) -> Void
    ) async throws {
        let key = Partitioning.eventsKey(p)
        var batch = try await fetch(key, after: "-")
        while let last = batch.last {
            async let next = fetch(key, after: last.id)
            var events: [LoggedEvent] = []
            events.reserveCapacity(batch.count)
            var skipped = 0
            for entry in batch {
                guard let event = try? entry.loggedEvent(partition: p) else {
                    skipped += 1
                    logger.warning(
                        "skipping an entry that does not decode", metadata: ["partition": "\(p)", "id": "\(entry.id)"])
                    continue
                }
                events.append(event)
            }
            let result = try await store.apply(events, partition: p)
            batchDone(batch.count, skipped, result)
            batch = try await next
        }
    }

    private func fetch(_ key: String, after: String) async throws -> [RedisStreamEntry] {
        try RedisStreamEntry.parseList(try await client.send(.xrange(key, after: after, count: batchSize)))
    }
}
