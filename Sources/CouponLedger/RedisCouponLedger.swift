import CouponCore
import Redis

/// The ledger in Redis: every decision is one atomic script on one partition.
public struct RedisCouponLedger: CouponLedger {
    public let client: RedisClient
    public let partitioning: Partitioning

    private static let admitScript = RedisScript(CouponScripts.admit)
    private static let defineScript = RedisScript(CouponScripts.define)
    private static let showScript = RedisScript(CouponScripts.show)
    private static let issuanceScript = RedisScript(CouponScripts.issuance)

    private let partitionGuard: PartitionGuard
    /// Sold-out and ended coupons answered in this process; nil: every admission asks Redis.
    public let finalAnswers: FinalAnswers?

    public init(client: RedisClient, partitioning: Partitioning, finalAnswers: FinalAnswers? = nil) {
        self.client = client
        self.partitioning = partitioning
        self.partitionGuard = PartitionGuard(client: client, partitioning: partitioning)
        self.finalAnswers = finalAnswers
    }

    public func define(_ draft: CouponDraft) async throws -> Coupon {
        let p = Int.random(in: partitioning.all)
        let reply = try await run(
            Self.defineScript,
            keys: [Partitioning.generationKey(p), Partitioning.couponSequenceKey(p), Partitioning.eventsKey(p)],
            arguments: [
                String(p), String(partitioning.count), draft.name, String(draft.quantity),
                draft.startsAt.map(String.init) ?? "", draft.endsAt.map(String.init) ?? "",
                Partitioning.couponKeyPrefix(p),
            ]
        )
        switch reply.outcome {
        case .defined:
            guard let id = reply.int(1).flatMap({ try? CouponID($0) }),
                let startsAt = reply.int(2), let endsAt = reply.int(3), let eventId = reply.text(4),
                let definedAt = reply.int(5)
            else { throw LedgerError.unexpected("define: \(reply.values)") }
            return Coupon(
                id: id, name: draft.name, quantity: draft.quantity, startsAt: startsAt, endsAt: endsAt,
                definedEventId: eventId, definedAt: definedAt, issued: 0)
        case .invalidWindow:
            throw LedgerError.invalid(ValidationError("endsAt must be after startsAt (startsAt defaults to now)"))
        case .unavailable:
            throw LedgerError.dataLost
        default:
            throw LedgerError.unexpected("define: \(reply.values)")
        }
    }

    public func admit(coupon: CouponID, user: UserID, requestId: String?) async throws -> AdmissionOutcome {
        if let local = finalAnswers?.answer(coupon: coupon, user: user) { return local }
        let p = partitioning.partition(of: coupon)
        // One call of the many-request script: admissions of this partition waiting on the same
        // connection go to Redis as one script run.
        let reply: ScriptReply
        do {
            reply = try await guarded {
                try await Self.admitScript.run(
                    on: client, sharedKeys: [Partitioning.generationKey(p), Partitioning.eventsKey(p)],
                    keys: [Partitioning.couponKey(p, coupon), Partitioning.issuedKey(p, coupon)],
                    arguments: [coupon.description, user.value, requestId ?? ""])
            }
        } catch LedgerError.unavailable(let reason) {
            // The request that went to confirm a final coupon found Redis unreachable: the answer
            // cannot have changed, so it is still given (Redis is asked again a second later).
            if let cached = finalAnswers?.cachedAnswer(coupon: coupon, user: user) { return cached }
            throw LedgerError.unavailable(reason)
        }
        let outcome: AdmissionOutcome
        switch reply.outcome {
        case .issued: outcome = .issued(try reply.issuance(coupon: coupon, user: user))
        case .alreadyIssued: outcome = .alreadyIssued(try reply.issuance(coupon: coupon, user: user))
        case .soldOut: outcome = .soldOut
        case .notStarted: outcome = .notStarted(startsAt: reply.int(1) ?? 0)
        case .ended: outcome = .ended(endsAt: reply.int(1) ?? 0)
        case .notFound: outcome = .notFound
        case .unavailable: outcome = .unavailable
        default: throw LedgerError.unexpected("admit: \(reply.values)")
        }
        if let finalAnswers, let final = finalAnswers.learn(coupon: coupon, outcome) {
            Task { await loadHolders(of: coupon, final, into: finalAnswers) }
        }
        return outcome
    }

    /// Reads a final coupon's holders for `FinalAnswers`, if they fit in its room.
    private func loadHolders(of coupon: CouponID, _ final: FinalAnswers.Final, into answers: FinalAnswers) async {
        let key = Partitioning.issuedKey(partitioning.partition(of: coupon), coupon)
        var holders: [Issuance]?
        do {
            if let count = try await client.send(RedisCommand("HLEN", key)).int, count <= answers.room {
                // HSCAN in pages rather than one HGETALL: Redis is never blocked on a large hash,
                // and this process never holds the whole reply at once. The set is final, so a
                // scan sees all of it (an element it returns twice is stored once).
                var loaded: [Issuance] = []
                loaded.reserveCapacity(Int(count))
                var cursor = "0"
                repeat {
                    let page = try await client.send(RedisCommand("HSCAN", key, cursor, "COUNT", "1000")).array ?? []
                    guard page.count == 2, let next = page[0].string, let pairs = page[1].array else {
                        throw LedgerError.unexpected("HSCAN of \(key) answered \(page)")
                    }
                    for index in stride(from: 0, to: pairs.count - 1, by: 2) {
                        guard let user = pairs[index].string.flatMap({ try? UserID($0) }),
                            let record = pairs[index + 1].string,
                            let issuance = Issuance(couponId: coupon, userId: user, record: record)
                        else { throw LedgerError.unexpected("issued hash of coupon \(coupon) holds \(pairs[index])") }
                        loaded.append(issuance)
                    }
                    cursor = next
                } while cursor != "0"
                holders = loaded
            }
        } catch {
            holders = nil  // asked again later; meanwhile Redis answers
        }
        answers.store(coupon: coupon, final, holders: holders)
    }

    public func coupon(_ id: CouponID) async throws -> Coupon? {
        let p = partitioning.partition(of: id)
        let reply = try await run(
            Self.showScript,
            keys: [Partitioning.generationKey(p), Partitioning.couponKey(p, id), Partitioning.issuedKey(p, id)],
            arguments: []
        )
        switch reply.outcome {
        case .found:
            guard let name = reply.text(1), let quantity = reply.int(2), let startsAt = reply.int(3),
                let endsAt = reply.int(4), let eventId = reply.text(5), let definedAt = reply.int(6),
                let issued = reply.int(7)
            else { throw LedgerError.unexpected("show: \(reply.values)") }
            return Coupon(
                id: id, name: name, quantity: quantity, startsAt: startsAt, endsAt: endsAt,
                definedEventId: eventId, definedAt: definedAt, issued: issued)
        case .notFound: return nil
        case .unavailable:
            throw LedgerError.dataLost
        default: throw LedgerError.unexpected("show: \(reply.values)")
        }
    }

    public func issuance(coupon: CouponID, user: UserID) async throws -> IssuanceLookup {
        let p = partitioning.partition(of: coupon)
        let reply = try await run(
            Self.issuanceScript,
            keys: [
                Partitioning.generationKey(p), Partitioning.couponKey(p, coupon), Partitioning.issuedKey(p, coupon),
            ],
            arguments: [user.value]
        )
        switch reply.outcome {
        case .issued: return .issued(try reply.issuance(coupon: coupon, user: user))
        case .notIssued: return .notIssued
        case .notFound: return .couponNotFound
        case .unavailable:
            throw LedgerError.dataLost
        default: throw LedgerError.unexpected("issuance: \(reply.values)")
        }
    }

    public func readiness() async -> Readiness {
        do {
            guard try await RedisDeployment(client: client).confirms(partitioning) else {
                return .notReady("not initialised: run `coupon init`")
            }
            for p in partitioning.all {
                if try await client.send(.get(Partitioning.generationKey(p))).isNull {
                    return .notReady("generation key of partition \(p) is missing: Redis lost its data")
                }
            }
            return .ready
        } catch let error as LedgerError {
            return .notReady(error.description)
        } catch {
            return .notReady("Redis: \(error)")
        }
    }

    private func run(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> ScriptReply {
        try await guarded { try await script.run(on: client, keys: keys, arguments: arguments) }
    }

    /// Runs a script once the partition count is verified, turning a broken link or a refused
    /// write (OOM, READONLY, …) into `unavailable`.
    private func guarded(_ script: () async throws -> RedisReply) async throws -> ScriptReply {
        try await partitionGuard.ensureVerified()
        do {
            return ScriptReply(try await script())
        } catch let error as RedisError where error.code == .unconfirmed {
            throw LedgerError.unconfirmed(error.message)
        } catch let error as RedisError {
            throw LedgerError.unavailable(error.description)
        }
    }
}
