import CouponCore
import CouponStore
import Foundation
import Logging
import Redis
import Synchronization

/// Consumes one partition's stream for one worker: its own pending entries first, then new ones,
/// in batches; each batch is projected in one transaction and acknowledged only after COMMIT.
/// It has a Redis connection of its own because its reads block.
final class PartitionConsumer: Sendable {
    let partition: Int
    let configuration: WorkerConfiguration
    let connection: RedisConnection
    let store: any ProjectionStore
    let lag: LagRecorder
    let logger: Logger
    let key: String
    /// Why each entry this worker could not project failed last, for the dead letter's `reason`.
    private let failures = Mutex<[String: String]>([:])

    private static let deadLetterScript = RedisScript(CouponScripts.deadLetter)
    private var group: String { WorkerConfiguration.group }

    init(
        partition: Int, configuration: WorkerConfiguration, redis: RedisConfiguration, store: any ProjectionStore,
        lag: LagRecorder, logger: Logger
    ) {
        self.partition = partition
        self.configuration = configuration
        var redis = redis
        redis.commandTimeout = configuration.block + .seconds(5)
        self.connection = RedisConnection(configuration: redis, name: "worker-p\(partition)", logger: logger)
        self.store = store
        self.lag = lag
        self.logger = logger
        self.key = Partitioning.eventsKey(partition)
    }

    deinit { connection.close() }

    /// Runs until graceful shutdown; a batch in progress is committed and acknowledged first.
    func run(isShuttingDown: @escaping @Sendable () -> Bool) async {
        var state = LoopState()
        var consecutiveErrors = 0
        while !isShuttingDown() {
            do {
                try await step(&state)
                if consecutiveErrors > 0 {
                    logger.notice("projection of partition \(partition) works again")
                    consecutiveErrors = 0
                }
            } catch let error as RedisError where error.message.hasPrefix("NOGROUP") {
                try? await ensureGroup()
            } catch {
                // Redis or the database is away: back off (0.2 s doubling to 5 s), and say so once
                // rather than on every attempt.
                if consecutiveErrors == 0 {
                    logger.warning(
                        "projection of partition \(partition) failed; retrying", metadata: ["error": "\(error)"])
                }
                consecutiveErrors += 1
                try? await Task.sleep(for: .milliseconds(min(5_000, 200 << min(consecutiveErrors - 1, 5))))
            }
        }
    }

    private struct LoopState {
        var drained = false
        var nextRecovery = ContinuousClock.now
    }

    /// One turn of the loop: drain our own pending entries (once), retry and take over (every
    /// `retryDelay`), or read and project the next batch of new entries.
    private func step(_ state: inout LoopState) async throws {
        if !state.drained {
            state.drained = try await drainOwnPending()
            return
        }
        if ContinuousClock.now >= state.nextRecovery {
            try await recover()
            state.nextRecovery = ContinuousClock.now + configuration.retryDelay
        }
        let reply = try await connection.send(
            .xreadgroup(
                key, group: group, consumer: configuration.consumer, count: configuration.batchSize,
                block: configuration.block, after: ">"))
        try await process(RedisStreamEntry.parseRead(reply)[key] ?? [])
    }

    func ensureGroup() async throws {
        do {
            _ = try await connection.send(.xgroupCreate(key, group: group))
        } catch let error as RedisError where error.message.hasPrefix("BUSYGROUP") {
            // Another worker created it first.
        }
    }

    /// One pass over this consumer's own pending entries (left by a crash of a worker with the
    /// same name); true once there are none left.
    private func drainOwnPending() async throws -> Bool {
        var cursor = "0"
        while true {
            let reply = try await connection.send(
                .xreadgroup(
                    key, group: group, consumer: configuration.consumer, count: configuration.batchSize, block: nil,
                    after: cursor))
            let entries = try RedisStreamEntry.parseRead(reply)[key] ?? []
            guard let last = entries.last else { return true }
            try await process(entries)
            cursor = last.id
        }
    }

    /// Retries this worker's failed entries (moving those delivered too often to the dead stream),
    /// then takes over entries left pending by dead consumers.
    ///
    /// In that order: a takeover resets an entry's idle time, so taking over first would keep
    /// re-claiming our own entries (idle ≥ claim timeout) before the retry pass ever saw them.
    private func recover() async throws {
        let pending = try RedisPendingEntry.parseList(
            try await connection.send(
                .xpending(
                    key, group: group, consumer: configuration.consumer, minIdle: configuration.retryDelay,
                    count: configuration.batchSize)))
        var retry: [String] = []
        for entry in pending {
            guard entry.deliveries > Int64(configuration.maxDeliveries) else {
                retry.append(entry.id)
                continue
            }
            // Not processed again (an entry that crashes its worker would do it again): if the
            // archive has it, only the XACK was lost (say, Redis went away after COMMIT).
            if let id = StreamID(entry.id), try await store.contains(partition: partition, eventId: id) {
                _ = try await connection.send(.xack(key, group: group, ids: [entry.id]))
            } else {
                let reason = failures.withLock { $0.removeValue(forKey: entry.id) }
                try await deadLetter(
                    entry.id, deliveries: entry.deliveries,
                    reason: reason ?? "not projected (the failure happened in another worker)")
            }
        }
        if !retry.isEmpty {
            let reply = try await connection.send(
                .xclaim(key, group: group, consumer: configuration.consumer, minIdle: .zero, ids: retry))
            try await process(try RedisStreamEntry.parseList(reply))
        }

        // JUSTID: ownership moves to us without counting a delivery; the next pass then treats them
        // like our own failed entries (delivery check first, so an entry that crashes every worker
        // that touches it ends in the dead stream instead of taking them all down in turn).
        let claimed = try await connection.send(
            .xautoclaim(
                key, group: group, consumer: configuration.consumer, minIdle: configuration.claimTimeout,
                start: "0-0", count: configuration.batchSize))
        if let parts = claimed.array, parts.count >= 2 {
            let taken = parts[1].array?.count ?? 0
            if taken > 0 {
                logger.notice(
                    "took over \(taken) entries from a dead consumer", metadata: ["partition": "\(partition)"])
            }
            let deleted = parts.count > 2 ? parts[2].array?.compactMap(\.string) ?? [] : []
            if !deleted.isEmpty {
                logger.error(
                    "ALARM: pending entries were deleted from the log before they were projected",
                    metadata: ["partition": "\(partition)", "ids": "\(deleted)"])
            }
        }
    }

    /// Projects entries and acknowledges what was committed. Undecodable entries stay pending:
    /// `recover` retries them and dead-letters them after `maxDeliveries`.
    func process(_ entries: [RedisStreamEntry]) async throws {
        guard !entries.isEmpty else { return }
        var events: [LoggedEvent] = []
        var committed: [LoggedEvent] = []
        var acknowledge: [String] = []
        events.reserveCapacity(entries.count)
        for entry in entries {
            if entry.fields.isEmpty {
                // XREADGROUP returns an entry deleted while pending with no fields: nothing to project.
                logger.error("ALARM: pending entry \(entry.id) was deleted from the log before it was projected")
                acknowledge.append(entry.id)
                continue
            }
            do {
                guard let id = StreamID(entry.id) else { throw EventDecodingError("bad entry id") }
                events.append(
                    try LoggedEvent(
                        partition: partition, id: id, fields: entry.fields.map { LoggedEvent.Field($0.0, $0.1) }))
            } catch {
                remember(entry.id, "cannot decode: \(error)")
                logger.error(
                    "cannot decode log entry; leaving it pending",
                    metadata: ["partition": "\(partition)", "id": "\(entry.id)", "error": "\(error)"])
            }
        }
        do {
            _ = try await store.apply(events, partition: partition)
            committed = events
        } catch {
            // One bad event must not hold back the rest: apply one by one, keep the failures pending.
            logger.warning(
                "batch projection failed; applying one by one",
                metadata: ["partition": "\(partition)", "error": "\(error)"])
            for event in events {
                do {
                    _ = try await store.apply([event], partition: partition)
                    committed.append(event)
                } catch {
                    remember(event.id.description, "cannot project: \(error)")
                    logger.error(
                        "cannot project event; leaving it pending",
                        metadata: ["partition": "\(partition)", "id": "\(event.id)", "error": "\(error)"])
                }
            }
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        lag.record(
            committed.compactMap { event in
                if case .issued(let issued) = event.event { return now - issued.at }
                return nil
            })
        acknowledge += committed.map(\.id.description)
        if !committed.isEmpty {
            failures.withLock { known in
                guard !known.isEmpty else { return }
                for event in committed { known.removeValue(forKey: event.id.description) }
            }
        }
        FaultPoint.afterCommit.hit()
        if !acknowledge.isEmpty {
            _ = try await connection.send(.xack(key, group: group, ids: acknowledge))
        }
    }

    /// Bounded: a worker that cannot reach its database must not grow this without end.
    private func remember(_ id: String, _ reason: String) {
        failures.withLock { known in
            if known.count >= 10_000 { known.removeAll() }
            known[id] = String(reason.prefix(500))
        }
    }

    private func deadLetter(_ id: String, deliveries: Int64, reason: String) async throws {
        let moved = try await PartitionConsumer.deadLetterScript.run(
            on: connection, keys: [key, Partitioning.deadKey(partition)],
            arguments: [group, id, reason, String(deliveries), configuration.consumer])
        if moved.int == 1 {
            logger.error(
                "ALARM: entry moved to the dead-letter stream after \(deliveries) deliveries",
                metadata: ["partition": "\(partition)", "id": "\(id)", "dead": "\(Partitioning.deadKey(partition))"])
        }
    }
}
