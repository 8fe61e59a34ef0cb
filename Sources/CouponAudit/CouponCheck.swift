import CouponCore

/// One coupon's comparison of the log with Redis's issued hash, the archive and `coupon_issues`.
/// Pure: it is handed what each place holds and writes one plain sentence per mismatch.
struct CouponCheck {
    let coupon: CouponID
    let boundary: StreamID
    let log: CouponLog
    let state: Reconciliation.ProjectionState
    private(set) var counts: ReconciliationReport.CouponCounts
    private(set) var mismatches: [String] = []

    init(coupon: CouponID, boundary: StreamID, log: CouponLog, state: Reconciliation.ProjectionState) {
        self.coupon = coupon
        self.boundary = boundary
        self.log = log
        self.state = state
        counts = .init(couponId: coupon.value, log: log.issued.count, redis: 0, archive: 0, issues: 0, lagging: 0)
    }

    /// Fetches the other three places from the store and compares.
    mutating func compare(redis: [Record], store: some AuditSource) async throws {
        let archive = try await store.timeline(coupon: coupon, after: nil, limit: Int(Int32.max))
        let issues = try await store.winners(coupon: coupon, fromSeq: 1, toSeq: nil, limit: nil)
        compare(
            redis: redis,
            archiveDefined: archive.contains { $0.type == CouponEvent.typeDefined && $0.id <= boundary },
            archive: archive.compactMap { event in
                guard event.type == CouponEvent.typeIssued, event.id <= boundary, let user = event.user,
                    let seq = event.seq
                else { return nil }
                return Record(seq: seq, user: user, eventId: event.id, at: event.at)
            },
            issues: issues.compactMap { issuance in
                guard let id = StreamID(issuance.eventId) else {
                    return Record(seq: issuance.seq, user: issuance.userId.value, eventId: .zero, at: issuance.issuedAt)
                }
                guard id <= boundary else { return nil }
                return Record(seq: issuance.seq, user: issuance.userId.value, eventId: id, at: issuance.issuedAt)
            })
    }

    mutating func compare(redis: [Record], archiveDefined: Bool, archive: [Record], issues: [Record]) {
        let inRedis = redis.filter { $0.eventId <= boundary }
        counts = .init(
            couponId: coupon.value, log: log.issued.count, redis: inRedis.count, archive: archive.count,
            issues: issues.count, lagging: 0)
        checkSequence()
        checkDefinition(archived: archiveDefined)

        let redisByUser = Dictionary(inRedis.map { ($0.user, $0) }, uniquingKeysWith: { first, _ in first })
        let logByUser = Dictionary(log.issued.map { ($0.user, $0) }, uniquingKeysWith: { first, _ in first })
        for record in log.issued {
            guard let held = redisByUser[record.user] else {
                say("\(record.described) is in the log but missing from Redis's issued hash")
                continue
            }
            if held != record {
                say("user \(record.user) holds \(held.summary) in Redis's issued hash but \(record.summary) in the log")
            }
        }
        for held in inRedis where logByUser[held.user] == nil {
            say("user \(held.user) (\(held.summary)) is in Redis's issued hash but not in the log")
        }

        var lagging: Set<StreamID> = []
        compareProjection(archive, place: "the archive (coupon_events)", redisUsers: redisByUser, lagging: &lagging)
        compareProjection(issues, place: "coupon_issues", redisUsers: redisByUser, lagging: &lagging)
        counts.lagging = lagging.count
    }

    /// seq must run 1…n (n ≤ the quantity) with no gap and no duplicate.
    private mutating func checkSequence() {
        var events: [Int64: [StreamID]] = [:]
        for record in log.issued { events[record.seq, default: []].append(record.eventId) }
        let ordered = events.sorted { $0.key < $1.key }
        for (seq, ids) in ordered where ids.count > 1 {
            say(
                "seq \(seq) appears \(ids.count) times in the log (events \(ids.map(\.description).joined(separator: ", ")))"
            )
        }
        let quantity = log.quantity ?? .max
        for (seq, ids) in ordered where seq < 1 || seq > quantity {
            say("seq \(seq) (event \(ids[0])) is outside 1…\(quantity), the coupon's quantity, in the log")
        }
        guard let highest = ordered.last?.key, highest >= 1 else { return }
        let missing = (1...min(highest, quantity)).filter { events[$0] == nil }
        for seq in missing.prefix(20) { say("seq \(seq) is missing from the log (a gap in 1…\(highest))") }
        if missing.count > 20 { say("\(missing.count - 20) more seq values are missing from the log") }
    }

    private mutating func checkDefinition(archived: Bool) {
        if archived && log.definedId == nil {
            say("the log lost the coupon's definition, which the archive holds")
        } else if let id = log.definedId, !archived, !state.isInFlight(id) {
            say("the definition (event \(id)) is in the log but missing from the archive (coupon_events)")
        }
    }

    /// One projected place against the log, by event id: missing (unless still in flight), extra
    /// (the log lost it), or different.
    private mutating func compareProjection(
        _ projected: [Record], place: String, redisUsers: [String: Record], lagging: inout Set<StreamID>
    ) {
        let projectedById = Dictionary(projected.map { ($0.eventId, $0) }, uniquingKeysWith: { first, _ in first })
        let logById = Dictionary(log.issued.map { ($0.eventId, $0) }, uniquingKeysWith: { first, _ in first })
        for record in log.issued {
            guard let row = projectedById[record.eventId] else {
                if state.isInFlight(record.eventId) {
                    lagging.insert(record.eventId)
                } else if state.dead.contains(record.eventId) {
                    say("\(record.described) was dead-lettered and is missing from \(place)")
                } else {
                    let also = redisUsers[record.user] == record ? "the log and Redis" : "the log"
                    say("\(record.described) is in \(also) but missing from \(place)")
                }
                continue
            }
            if row != record {
                say(
                    "event \(record.eventId) is \(row.summary) for user \(row.user) in \(place) but \(record.summary) for user \(record.user) in the log"
                )
            }
        }
        for row in projected where logById[row.eventId] == nil {
            say("the log lost event \(row.eventId) (seq \(row.seq), user \(row.user)) that \(place) holds")
        }
    }

    private mutating func say(_ sentence: String) {
        mismatches.append("coupon \(coupon): \(sentence)")
    }
}

extension Record {
    /// `seq 233, event 1795…-0, at 1795…` — what differs when two places disagree.
    fileprivate var summary: String { "seq \(seq), event \(eventId), at \(at)" }
}
