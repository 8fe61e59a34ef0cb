import CouponCore
import CouponStore
import Foundation
import Logging
import Redis

/// Rebuilds the projection from the log alone: XRANGE over every partition from the start, in
/// large batches, through the same `ProjectionStore.apply` the workers use. Idempotent: replaying
/// over a database that already holds everything changes nothing.
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
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return seconds > 0 ? Double(eventsRead) / seconds : 0
        }
    }

    /// Replays every partition; `report` is called after each batch.
    public func run(report: (Progress) -> Void = { _ in }) async throws -> Progress {
        var progress = Progress()
        for p in partitioning.all {
            progress.total += Int(try await client.send(.xlen(Partitioning.eventsKey(p))).int ?? 0)
        }
        for p in partitioning.all {
            let key = Partitioning.eventsKey(p)
            var after = "-"
            while true {
                let entries = try RedisStreamEntry.parseList(
                    try await client.send(.xrange(key, after: after, count: batchSize)))
                guard let last = entries.last else { break }
                after = last.id
                var events: [LoggedEvent] = []
                events.reserveCapacity(entries.count)
                for entry in entries {
                    guard let id = StreamID(entry.id),
                        let event = try? LoggedEvent(
                            partition: p, id: id, fields: entry.fields.map { LoggedEvent.Field($0.0, $0.1) })
                    else {
                        progress.skipped += 1
                        logger.warning(
                            "skipping an entry that does not decode",
                            metadata: ["partition": "\(p)", "id": "\(entry.id)"])
                        continue
                    }
                    events.append(event)
                }
                let result = try await store.apply(events, partition: p)
                progress.eventsRead += entries.count
                progress.applied += result.applied
                progress.rowsWritten += result.rowsWritten
                progress.total = max(progress.total, progress.eventsRead)
                report(progress)
            }
        }
        return progress
    }
}
