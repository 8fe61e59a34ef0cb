import CouponCore
import CouponStore
import Foundation
import Redis

/// `coupon recover`: rebuilds an empty Redis from the database's archive after Redis lost its
/// data — the partition count, every coupon hash, every issued hash, each partition's coupon-id
/// counter (past the highest id ever used), the streams with their original entry ids and fields,
/// the `projector` group positioned after the last recovered entry (all of it is projected
/// already), and the generation keys last: until they are written, the service answers 503.
///
/// Not recovered: entries the archive never held (dead letters, and whatever was issued but not
/// yet projected when Redis lost its data — `coupon audit verify` afterwards shows the state).
public struct Recovery: Sendable {
    public let client: RedisClient
    public let store: any ProjectionStore

    /// Events per script call when rebuilding a stream; fields per HSET.
    static let entriesPerCall = 500
    static let fieldsPerHSET = 1000
    static let inFlight = 256

    private static let restoreScript = RedisScript(CouponScripts.restoreEntries)

    public init(client: RedisClient, store: any ProjectionStore) {
        self.client = client
        self.store = store
    }

    public struct Summary: Sendable {
        public let identity: DeploymentIdentity
        public var coupons = 0
        public var issuances = 0
        public var events = 0
    }

    /// The deployment to rebuild: the one recorded in the database; for a database from before
    /// deployments were recorded, `partitions` and a new generation id.
    public func identity(partitions fallback: Partitioning) async throws -> DeploymentIdentity {
        if let recorded = try await store.recordedDeployment() { return recorded }
        guard try await store.archivedEventCount() > 0 else {
            throw RecoveryRefused("the database holds no archived events: there is nothing to recover from")
        }
        return DeploymentIdentity(partitions: fallback.count, generation: UUID().uuidString.lowercased())
    }

    /// Refuses unless Redis holds nothing of a deployment: no generation key, no stream entry, no
    /// other partition count. Both `plan` and `run` check it, so a dry run refuses when a run would.
    func checkRedisIsEmpty(_ identity: DeploymentIdentity) async throws {
        let partitioning = try Partitioning(count: identity.partitions)
        if let recorded = try await client.send(.get(Partitioning.partitionsKey)).string,
            recorded != String(identity.partitions)
        {
            throw RecoveryRefused(
                "Redis records \(recorded) partitions but the database's deployment has \(identity.partitions)")
        }
        for p in partitioning.all {
            if let generation = try await client.send(.get(Partitioning.generationKey(p))).string {
                throw RecoveryRefused(
                    "Redis still holds a deployment (\(Partitioning.generationKey(p)) = \(generation)): "
                        + "recover only rebuilds a Redis that lost its data")
            }
            let entries = try await client.send(.xlen(Partitioning.eventsKey(p))).int ?? 0
            if entries > 0 {
                throw RecoveryRefused(
                    "Redis holds \(entries) entries in \(Partitioning.eventsKey(p)) but no generation key: a recovery "
                        + "was interrupted, or Redis holds other data. Check it, empty it (FLUSHALL), and run recover again"
                )
            }
        }
    }

    /// What a recovery would write, partition by partition, writing nothing.
    public func plan(_ identity: DeploymentIdentity, progress: @Sendable (String) -> Void = { _ in }) async throws
        -> Summary
    {
        try await checkRedisIsEmpty(identity)
        let partitioning = try Partitioning(count: identity.partitions)
        var summary = Summary(identity: identity)
        for p in partitioning.all {
            let snapshot = try await store.recoverySnapshot(partition: p, of: partitioning)
            summary.add(snapshot)
            progress(Recovery.describe(p, snapshot))
        }
        return summary
    }

    /// Rebuilds Redis; the generation keys are written last.
    public func run(_ identity: DeploymentIdentity, progress: @escaping @Sendable (String) -> Void = { _ in })
        async throws -> Summary
    {
        try await checkRedisIsEmpty(identity)
        let partitioning = try Partitioning(count: identity.partitions)
        _ = try await client.send(RedisCommand("SET", Partitioning.partitionsKey, String(identity.partitions)))
        var summary = Summary(identity: identity)
        try await withThrowingTaskGroup(of: RecoverySnapshot.self) { group in
            for p in partitioning.all {
                group.addTask {
                    let snapshot = try await store.recoverySnapshot(partition: p, of: partitioning)
                    try await restore(p, snapshot, partitioning: partitioning)
                    progress(Recovery.describe(p, snapshot))
                    return snapshot
                }
            }
            for try await snapshot in group { summary.add(snapshot) }
        }
        // Last: from here on the service admits again.
        for p in partitioning.all {
            _ = try await client.send(RedisCommand("SET", Partitioning.generationKey(p), identity.generation))
        }
        _ = try await store.recordDeployment(identity)
        return summary
    }

    private func restore(_ p: Int, _ snapshot: RecoverySnapshot, partitioning: Partitioning) async throws {
        var commands: [RedisCommand] = []
        for coupon in snapshot.coupons {
            commands.append(
                RedisCommand(
                    "HSET", Partitioning.couponKey(p, coupon.id), "name", coupon.name, "total", String(coupon.quantity),
                    "startsAt", String(coupon.startsAt), "endsAt", String(coupon.endsAt), "definedEventId",
                    coupon.definedEventId, "definedAt", String(coupon.definedAt)))
        }
        for (coupon, issuances) in Dictionary(grouping: snapshot.issuances, by: \.couponId) {
            for start in stride(from: 0, to: issuances.count, by: Recovery.fieldsPerHSET) {
                var words = ["HSET", Partitioning.issuedKey(p, coupon)]
                for issuance in issuances[start..<min(start + Recovery.fieldsPerHSET, issuances.count)] {
                    words += [issuance.userId.value, "\(issuance.seq) \(issuance.eventId) \(issuance.issuedAt)"]
                }
                commands.append(RedisCommand(words))
            }
        }
        // The counter behind ids n·P + p: past the highest n used, so new coupons get new ids.
        let highest = snapshot.coupons.map { ($0.id.value - Int64(p)) / Int64(partitioning.count) }.max() ?? 0
        commands.append(RedisCommand("SET", Partitioning.couponSequenceKey(p), String(highest)))
        try await sendAll(commands)

        // The stream, in log order, in calls of a few hundred entries.
        let key = Partitioning.eventsKey(p)
        for start in stride(from: 0, to: snapshot.events.count, by: Recovery.entriesPerCall) {
            var arguments: [String] = []
            for (id, fields) in snapshot.events[start..<min(start + Recovery.entriesPerCall, snapshot.events.count)] {
                arguments += [id.description, String(fields.count)]
                for field in fields { arguments += [field.name, field.value] }
            }
            _ = try await Recovery.restoreScript.run(on: client, keys: [key], arguments: arguments)
        }
        // Everything recovered is projected already: the group starts after it.
        let position = snapshot.events.last?.id.description ?? "0"
        _ = try await client.send(
            RedisCommand("XGROUP", "CREATE", key, Partitioning.projectionGroup, position, "MKSTREAM"))
    }

    /// Sends independent commands with many in flight, so the client pipelines them.
    private func sendAll(_ commands: [RedisCommand]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, command) in commands.enumerated() {
                if index >= Recovery.inFlight { try await group.next() }
                group.addTask { _ = try await client.send(command) }
            }
            try await group.waitForAll()
        }
    }

    static func describe(_ p: Int, _ snapshot: RecoverySnapshot) -> String {
        "partition \(p): \(snapshot.coupons.count) coupons, \(snapshot.issuances.count) issuances, "
            + "\(snapshot.events.count) events"
    }
}

extension Recovery.Summary {
    fileprivate mutating func add(_ snapshot: RecoverySnapshot) {
        coupons += snapshot.coupons.count
        issuances += snapshot.issuances.count
        events += snapshot.events.count
    }
}

/// Why `coupon recover` will not run; the message says what to do instead.
public struct RecoveryRefused: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
