import CouponCore
import CouponLedger
import CouponMetrics
import CouponStore
import Foundation
import Logging
import Redis
import Synchronization

/// Consumes one partition's stream for one worker: its own pending entries first, then new ones,
/// in batches; each batch is projected in one transaction and acknowledged only after COMMIT.
/// On one Redis server it has a connection of its own, because its reads block (`BLOCK`). On a
/// cluster the worker's partitions share one client (a connection per master) and read without
/// blocking, pausing `idlePoll` when a read finds nothing: connections and threads then grow with
/// the masters, not with the partitions.
///
/// Failures are told apart (`ProjectionFailure`): while the database cannot write (locked, full,
/// I/O errors) the batch is kept and retried with back-off, never counted as a delivery and never
/// dead-lettered; only poison (undecodable, conflicting) events end in `cpn:{p}:dead`.
final class PartitionConsumer: Sendable {
    let partition: Int
    let configuration: WorkerConfiguration
    let connection: RedisClient
    /// Nil: reads block on a connection of this consumer's own; otherwise the pause after an
    /// empty read on a shared client.
    let idlePoll: Duration?
    let store: any ProjectionStore
    let lag: LagRecorder
    let logger: Logger
    let key: String
    let policy: PendingEntryPolicy
    let metrics: ProjectionMetrics?
    /// Called when the consumer group vanished (Redis lost its data), before it is created again.
    let groupLost: @Sendable () async throws -> Void
    /// Why each entry this worker could not project failed last: the retry pass decides by it.
    private let failures = Mutex<[String: ProjectionFailure]>([:])

    /// Finding the poison in a failed batch, one event per transaction, stops after this long; the
    /// rest stay pending for the retry pass.
    static let isolationBudget: Duration = .seconds(30)

    private static let deadLetterScript = RedisScript(CouponScripts.deadLetter)
    private static let removeIdleConsumersScript = RedisScript(CouponScripts.removeIdleConsumers)
    private var group: String { Partitioning.projectionGroup }

    init(
        partition: Int, configuration: WorkerConfiguration, redis: RedisConfiguration,
        sharedClient: (client: RedisClient, idlePoll: Duration)?, store: any ProjectionStore,
        lag: LagRecorder, logger: Logger, metrics: ProjectionMetrics? = nil,
        groupLost: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.metrics = metrics
        self.groupLost = groupLost
        self.partition = partition
        self.configuration = configuration
        if let sharedClient {
            (connection, idlePoll) = sharedClient
        } else {
            var redis = redis.withPoolSize(1)
            redis.commandTimeout = configuration.block + .seconds(5)
            (connection, idlePoll) = (RedisClient(configuration: redis, logger: logger), nil)
        }
        self.store = store
        self.lag = lag
        var logger = logger
        logger[metadataKey: "partition"] = "\(partition)"
        self.logger = logger
        self.key = Partitioning.eventsKey(partition)
        self.policy = PendingEntryPolicy(maxDeliveries: configuration.maxDeliveries)
    }

    deinit { if idlePoll == nil { connection.close() } }

    /// Runs until graceful shutdown; a batch in progress is committed and acknowledged first.
    func run(isShuttingDown: @escaping @Sendable () -> Bool) async {
        var state = LoopState()
        var backoff = Backoff()
        while !isShuttingDown() {
            do {
                try await step(&state, isShuttingDown: isShuttingDown)
                if backoff.isFailing {
                    logger.notice("projection works again after \(backoff.failures) failed attempt(s)")
                    backoff.succeeded()
                }
            } catch let error as RedisError where error.serverKind == .noGroup {
                try? await groupLost()
                if isShuttingDown() { break }
                try? await ensureGroup()
            } catch {
                // Redis or the database is away: back off, and say so once rather than on every attempt.
                if !backoff.isFailing {
                    logger.warning("projection failed; retrying with back-off", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: backoff.failed())
            }
        }
    }

    private struct LoopState {
        var drained = false
        var nextRecovery = ContinuousClock.now
        var nextConsumerCleanup = ContinuousClock.now
    }

    /// One turn of the loop: drain our own pending entries (once), retry and take over (every
    /// `retryDelay`), or read and project the next batch of new entries.
    private func step(_ state: inout LoopState, isShuttingDown: @Sendable () -> Bool) async throws {
        if !state.drained {
            state.drained = try await drainOwnPending(isShuttingDown: isShuttingDown)
            return
        }
        if ContinuousClock.now >= state.nextRecovery {
            try await recover(isShuttingDown: isShuttingDown)
            state.nextRecovery = ContinuousClock.now + configuration.retryDelay
        }
        if ContinuousClock.now >= state.nextConsumerCleanup {
            try await removeIdleConsumers()
            state.nextConsumerCleanup = ContinuousClock.now + configuration.claimTimeout
        }
        let reply = try await connection.send(
            .xreadgroup(
                key, group: group, consumer: configuration.consumer, count: configuration.batchSize,
                block: idlePoll == nil ? configuration.block : nil, after: ">"))
        let entries = try RedisStreamEntry.parseRead(reply)[key] ?? []
        if entries.isEmpty, let idlePoll {
            try? await Task.sleep(for: idlePoll)
            return
        }
        try await process(entries, isShuttingDown: isShuttingDown)
        if !entries.isEmpty, entries.count < configuration.batchSize, !isShuttingDown() {
            try? await Task.sleep(for: configuration.linger)
        }
    }

    func ensureGroup() async throws {
        do {
            _ = try await connection.send(.xgroupCreate(key, group: group))
        } catch let error as RedisError where error.serverKind == .busyGroup {
            // Another worker created it first.
        }
    }

    /// One pass over this consumer's own pending entries (left by a crash of a worker with the
    /// same name); true once there are none left.
    private func drainOwnPending(isShuttingDown: @Sendable () -> Bool) async throws -> Bool {
        var cursor = "0"
        while true {
            let reply = try await connection.send(
                .xreadgroup(
                    key, group: group, consumer: configuration.consumer, count: configuration.batchSize, block: nil,
                    after: cursor))
            let entries = try RedisStreamEntry.parseRead(reply)[key] ?? []
            guard let last = entries.last else { return true }
            try await process(entries, isShuttingDown: isShuttingDown)
            cursor = last.id
        }
    }

    /// Looks again at this worker's own entries left pending (poison, or failed for a reason
    /// `PendingEntryPolicy` sorts out), then takes over entries left pending by dead consumers.
    ///
    /// In that order: a takeover resets an entry's idle time, so taking over first would keep
    /// re-claiming our own entries (idle ≥ claim timeout) before the retry pass ever saw them.
    private func recover(isShuttingDown: @Sendable () -> Bool) async throws {
        let pending = try RedisPendingEntry.parseList(
            try await connection.send(
                .xpending(
                    key, group: group, consumer: configuration.consumer, minIdle: configuration.retryDelay,
                    count: configuration.batchSize)))
        var retry: [String] = []
        for entry in pending {
            var archived = false
            if policy.needsArchiveCheck(deliveries: entry.deliveries), let id = StreamID(entry.id) {
                archived = try await store.contains(partition: partition, eventId: id)
            }
            let lastFailure = failures.withLock { $0[entry.id] }
            switch policy.decide(deliveries: entry.deliveries, archived: archived, lastFailure: lastFailure) {
            case .retry:
                retry.append(entry.id)
            case .acknowledge:
                _ = try await connection.send(.xack(key, group: group, ids: [entry.id]))
                forget([entry.id])
            case .deadLetter(let reason):
                try await deadLetter(entry.id, deliveries: entry.deliveries, reason: reason)
                forget([entry.id])
            }
        }
        if !retry.isEmpty {
            let reply = try await connection.send(
                .xclaim(key, group: group, consumer: configuration.consumer, minIdle: .zero, ids: retry))
            try await process(try RedisStreamEntry.parseList(reply), isShuttingDown: isShuttingDown)
        }

        // JUSTID: ownership moves to us without counting a delivery; the next pass then treats them
        // like our own pending entries.
        let claimed = try await connection.send(
            .xautoclaim(
                key, group: group, consumer: configuration.consumer, minIdle: configuration.claimTimeout,
                start: "0-0", count: configuration.batchSize))
        if let parts = claimed.array, parts.count >= 2 {
            let taken = parts[1].array?.count ?? 0
            if taken > 0 {
                logger.notice("took over \(taken) entries from a dead consumer")
            }
            let deleted = parts.count > 2 ? parts[2].array?.compactMap(\.string) ?? [] : []
            if !deleted.isEmpty {
                logger.error(
                    "ALARM: pending entries were deleted from the log before they were projected",
                    metadata: ["ids": "\(deleted)"])
            }
        }
    }

    /// Deletes consumers that hold nothing and have been idle for the claim timeout: restarted
    /// workers with default (pid-bearing) names would otherwise pile up in `XINFO CONSUMERS`.
    /// Redis 7.0 counts a live worker that found nothing new as idle too; removing it costs
    /// nothing (it holds no entries, and its next read creates it again), so this logs at info.
    private func removeIdleConsumers() async throws {
        let removed = try await PartitionConsumer.removeIdleConsumersScript.run(
            on: connection, keys: [key],
            arguments: [group, configuration.consumer, String(configuration.claimTimeout.milliseconds)])
        let names = removed.array?.compactMap(\.string) ?? []
        if !names.isEmpty {
            logger.info(
                "removed consumers that held no entries and read nothing for the claim timeout",
                metadata: ["consumers": "\(names)"])
        }
    }

    /// Projects entries and acknowledges what was committed.
    ///
    /// While the database cannot write, the batch is kept and retried with back-off (its claim
    /// renewed, so no other worker takes it over meanwhile); on graceful shutdown it is left
    /// pending, unacknowledged. A batch that fails for any other reason is applied one event per
    /// transaction to find the event at fault, which stays pending for the retry pass.
    func process(_ entries: [RedisStreamEntry], isShuttingDown: @Sendable () -> Bool) async throws {
        guard !entries.isEmpty else { return }
        var events: [LoggedEvent] = []
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
                events.append(try entry.loggedEvent(partition: partition))
            } catch {
                remember(entry.id, ProjectionFailure.classify(error))
                logger.error(
                    "cannot decode log entry; leaving it pending", metadata: ["id": "\(entry.id)", "error": "\(error)"])
            }
        }
        let committed = try await commit(events, isShuttingDown: isShuttingDown)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let lags = committed.compactMap { event -> Int64? in
            if case .issued(let issued) = event.event { return now - issued.at }
            return nil
        }
        lag.record(lags)
        metrics?.committed(partition: partition, events: committed.count, lagMilliseconds: lags)
        let ids = committed.map(\.id.description)
        acknowledge += ids
        forget(ids)
        FaultPoint.afterCommit.hit()
        if !acknowledge.isEmpty {
            _ = try await connection.send(.xack(key, group: group, ids: acknowledge))
        }
    }

    /// Commits what can be committed of `events`; returns those events. Loops through transient
    /// faults until the database takes the batch or the worker shuts down.
    private func commit(_ events: [LoggedEvent], isShuttingDown: @Sendable () -> Bool) async throws -> [LoggedEvent] {
        var remaining = events
        var committed: [LoggedEvent] = []
        var backoff = Backoff()
        var fault: String?
        defer {
            if let fault {
                logger.notice(
                    "database writes again; batch kept through the fault",
                    metadata: ["attempts": "\(backoff.failures)", "fault": "\(fault)"])
            }
        }
        while !remaining.isEmpty {
            var failure: ProjectionFailure
            do {
                _ = try await store.apply(remaining, partition: partition)
                return committed + remaining
            } catch {
                failure = ProjectionFailure.classify(error)
            }
            if !failure.isTransient {
                let isolated = await isolate(remaining)
                committed += isolated.committed
                remaining = isolated.unfinished
                guard let transient = isolated.transient else { return committed }
                failure = transient
            }
            if fault == nil {
                fault = failure.reason
                logger.warning(
                    "database cannot write; keeping the batch and retrying with back-off",
                    metadata: ["events": "\(remaining.count)", "error": "\(failure.reason)"])
            }
            if isShuttingDown() {
                logger.warning("shutting down during a database fault; the batch stays pending for the next worker")
                fault = nil
                throw CancellationError()
            }
            try? await Task.sleep(for: backoff.failed())
            // Renew the claim, so that no other worker takes the batch over while this one waits.
            _ = try? await connection.send(
                .xclaimRenew(key, group: group, consumer: configuration.consumer, ids: remaining.map(\.id.description)))
        }
        return committed
    }

    /// Applies events one per transaction to find those at fault. Stops at the first transient
    /// failure (the database, not an event, is at fault: the caller retries the rest) or when
    /// the time budget runs out (the rest stay pending, untouched).
    private func isolate(_ events: [LoggedEvent]) async
        -> (committed: [LoggedEvent], unfinished: [LoggedEvent], transient: ProjectionFailure?)
    {
        logger.warning("batch projection failed; applying it one event at a time to find the event at fault")
        let deadline = ContinuousClock.now + PartitionConsumer.isolationBudget
        var committed: [LoggedEvent] = []
        for (index, event) in events.enumerated() {
            if ContinuousClock.now >= deadline {
                logger.warning("left \(events.count - index) events pending: one-by-one projection ran out of time")
                return (committed, [], nil)
            }
            do {
                _ = try await store.apply([event], partition: partition)
                committed.append(event)
            } catch {
                let failure = ProjectionFailure.classify(error)
                if failure.isTransient { return (committed, Array(events[index...]), failure) }
                remember(event.id.description, failure)
                logger.error(
                    "cannot project event; leaving it pending",
                    metadata: ["id": "\(event.id)", "error": "\(failure.reason)"])
            }
        }
        return (committed, [], nil)
    }

    /// Bounded: a worker facing a flood of bad entries must not grow this without end.
    private func remember(_ id: String, _ failure: ProjectionFailure) {
        failures.withLock { known in
            if known.count >= 10_000 { known.removeAll() }
            known[id] = failure.truncated
        }
    }

    private func forget(_ ids: [String]) {
        failures.withLock { known in
            guard !known.isEmpty else { return }
            for id in ids { known.removeValue(forKey: id) }
        }
    }

    private func deadLetter(_ id: String, deliveries: Int64, reason: String) async throws {
        let moved = try await PartitionConsumer.deadLetterScript.run(
            on: connection, keys: [key, Partitioning.deadKey(partition)],
            arguments: [group, id, reason, String(deliveries), configuration.consumer])
        if moved.int == 1 {
            logger.error(
                "ALARM: entry moved to the dead-letter stream after \(deliveries) deliveries",
                metadata: ["id": "\(id)", "dead": "\(Partitioning.deadKey(partition))", "reason": "\(reason)"])
        }
    }
}

extension ProjectionFailure {
    /// The reason cut to 500 characters, as the dead letter's `reason` field carries it.
    fileprivate var truncated: ProjectionFailure {
        switch self {
        case .transient(let reason): return .transient(String(reason.prefix(500)))
        case .poison(let reason): return .poison(String(reason.prefix(500)))
        case .unexpected(let reason): return .unexpected(String(reason.prefix(500)))
        }
    }
}
