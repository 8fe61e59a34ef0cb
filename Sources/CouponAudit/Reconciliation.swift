import CouponCore
import CouponStore
import Redis

/// `coupon audit verify`: compares the four places an issuance lives — Redis's issued hash, the
/// log, the archive (`coupon_events`) and `coupon_issues` — against a snapshot boundary taken
/// first (each stream's last id), so events that arrive during the check are not mismatches.
/// An event the projection has not reached yet (pending, or not delivered) is lag, not a mismatch.
/// Works one partition at a time, so memory grows with the largest partition, not the log.
public struct Reconciliation: Sendable {
    public let client: RedisClient
    public let store: any ProjectionStore
    public let partitioning: Partitioning

    public init(client: RedisClient, store: any ProjectionStore, partitioning: Partitioning) {
        self.client = client
        self.store = store
        self.partitioning = partitioning
    }

    /// Checks every coupon, or only `coupon`.
    public func run(coupon only: CouponID? = nil) async throws -> ReconciliationReport {
        let partitions = only.map { [partitioning.partition(of: $0)] } ?? Array(partitioning.all)
        // The boundary first, before anything is read.
        var boundaries: [Int: StreamID] = [:]
        for p in partitions {
            let last = try RedisStreamEntry.parseList(
                try await client.send(RedisCommand("XREVRANGE", Partitioning.eventsKey(p), "+", "-", "COUNT", "1")))
            boundaries[p] = last.first.flatMap { StreamID($0.id) } ?? .zero
        }
        let projected = try await store.projectedCoupons()
        // Two partitions at a time: one scans Redis while the other reads SQLite (measured over
        // 1M events: 11.4 s one at a time); memory is that of two partitions.
        var parts: [Int: ReconciliationReport] = [:]
        try await withThrowingTaskGroup(of: (Int, ReconciliationReport).self) { group in
            for (index, p) in partitions.enumerated() {
                if index >= Reconciliation.concurrentPartitions, let (done, part) = try await group.next() {
                    parts[done] = part
                }
                let boundary = boundaries[p] ?? .zero
                group.addTask {
                    (p, try await check(partition: p, boundary: boundary, projected: projected, only: only))
                }
            }
            for try await (done, part) in group { parts[done] = part }
        }
        var report = ReconciliationReport()
        for p in partitions {
            guard let part = parts[p] else { continue }
            report.partitions += part.partitions
            report.coupons += part.coupons
            report.mismatches += part.mismatches
            report.lagging += part.lagging
        }
        return report
    }

    static let concurrentPartitions = 2

    private func check(partition p: Int, boundary: StreamID, projected: [CouponID], only: CouponID?) async throws
        -> ReconciliationReport
    {
        var report = ReconciliationReport()
        let state = try await projectionState(p)
        report.partitions.append(
            .init(
                partition: p, boundary: boundary.description, pending: state.pending.count,
                deadLetters: state.dead.count))
        let log = try await logUpTo(boundary, partition: p, only: only)
        var coupons = Set(log.keys)
        coupons.formUnion(projected.filter { partitioning.partition(of: $0) == p && (only == nil || $0 == only) })
        if let only { coupons.insert(only) }
        for coupon in coupons.sorted() {
            var check = CouponCheck(coupon: coupon, boundary: boundary, log: log[coupon] ?? CouponLog(), state: state)
            try await check.compare(redis: redisIssued(coupon, partition: p), store: store)
            report.coupons.append(check.counts)
            report.mismatches += check.mismatches
            report.lagging += check.counts.lagging
        }
        return report
    }

    /// What the consumer group has and has not acknowledged, and what it dead-lettered.
    struct ProjectionState {
        var lastDelivered = StreamID.zero
        var pending: Set<StreamID> = []
        var dead: Set<StreamID> = []

        /// Not projected yet, and not through any fault: still pending, or never delivered.
        func isInFlight(_ id: StreamID) -> Bool { id > lastDelivered || pending.contains(id) }
    }

    private func projectionState(_ p: Int) async throws -> ProjectionState {
        let key = Partitioning.eventsKey(p)
        var state = ProjectionState()
        let groups = (try? await client.send(RedisCommand("XINFO", "GROUPS", key))).map(RedisGroupInfo.parseList) ?? []
        for group in groups where group.name == Partitioning.projectionGroup {
            state.lastDelivered = group.lastDeliveredID.flatMap { StreamID($0) } ?? .zero
            var cursor = "-"
            while true {
                let rows = try RedisPendingEntry.parseList(
                    try await client.send(
                        RedisCommand("XPENDING", key, Partitioning.projectionGroup, cursor, "+", "10000")))
                state.pending.formUnion(rows.compactMap { StreamID($0.id) })
                guard rows.count == 10_000, let last = rows.last else { break }
                cursor = "(" + last.id
            }
        }
        let dead = try RedisStreamEntry.parseList(
            try await client.send(RedisCommand("XRANGE", Partitioning.deadKey(p), "-", "+")))
        state.dead = Set(
            dead.compactMap { entry in entry.fields.first { $0.0 == "sourceId" }.flatMap { StreamID($0.1) } })
        return state
    }

    /// The partition's log up to the boundary, by coupon.
    private func logUpTo(_ boundary: StreamID, partition p: Int, only: CouponID?) async throws -> [CouponID: CouponLog]
    {
        var log: [CouponID: CouponLog] = [:]
        try await LogAuditSource(client: client, partitioning: partitioning).scan(p, after: nil) { logged in
            guard logged.id <= boundary else { return false }
            guard only == nil || logged.event.coupon == only else { return true }
            switch logged.event {
            case .defined(let defined):
                log[defined.coupon, default: CouponLog()].definedId = logged.id
                log[defined.coupon, default: CouponLog()].quantity = defined.total
            case .issued(let issued):
                log[issued.coupon, default: CouponLog()].issued.append(
                    Record(seq: issued.seq, user: issued.user.value, eventId: logged.id, at: issued.at))
            }
            return true
        }
        return log
    }

    private func redisIssued(_ coupon: CouponID, partition p: Int) async throws -> [Record] {
        let reply = try await client.send(RedisCommand("HGETALL", Partitioning.issuedKey(p, coupon)))
        let flat = reply.array ?? []
        var records: [Record] = []
        for index in stride(from: 0, to: flat.count - 1, by: 2) {
            let user = flat[index].string ?? ""
            // The admission script's record, read as the ledger reads it; one it cannot read is
            // kept as a record that matches nothing, so it is reported.
            guard let userId = try? UserID(user),
                let issuance = Issuance(couponId: coupon, userId: userId, record: flat[index + 1].string ?? ""),
                let id = StreamID(issuance.eventId)
            else {
                records.append(Record(seq: -1, user: user, eventId: .zero, at: 0))
                continue
            }
            records.append(Record(seq: issuance.seq, user: user, eventId: id, at: issuance.issuedAt))
        }
        return records
    }
}

/// One issuance as any of the four places holds it.
struct Record: Equatable {
    let seq: Int64
    let user: String
    let eventId: StreamID
    let at: Int64

    var described: String { "seq \(seq) (user \(user), event \(eventId))" }
}

/// A coupon's part of the log, up to the boundary.
struct CouponLog {
    var definedId: StreamID?
    var quantity: Int64?
    var issued: [Record] = []
}
