import CouponCore
import Synchronization

/// Answers that can no longer change, kept in this process so a sale's flood never reaches Redis.
///
/// Once Redis has answered SOLD_OUT for a coupon, its quantity is spent for good; once it has
/// answered ENDED, its window is over for good (Redis's clock decided, so no clock skew between
/// this host and Redis enters). Either way its holders are final too: the set of users who got one
/// is loaded once (`HGETALL` of the issued hash), and from then on a holder gets 409 with the
/// original issuance and everyone else 410 or 422 — exactly what the admission script would
/// answer (it checks the holder before the window and the quantity), without a round trip.
///
/// Bounded: at most `maxHolders` issuances are kept over all coupons (a coupon whose holders do
/// not fit is simply not cached: its requests keep going to Redis). Each final coupon is
/// confirmed by Redis again every `refreshAfter` (one request goes through), so a Redis that lost
/// its data, or was reset, is noticed within that time and the entry dropped.
public final class FinalAnswers: Sendable {
    public enum Final: Sendable, Equatable {
        case soldOut
        case ended(endsAt: Int64)
    }

    struct Entry {
        var final: Final
        var holders: [String: Issuance]
        var confirmedAt: ContinuousClock.Instant
        /// When a request was last let through to Redis to confirm the entry; nil when none is out.
        var confirming: ContinuousClock.Instant?

        /// What the admission script would answer this user: holder before window before quantity.
        func answer(for user: UserID) -> AdmissionOutcome {
            if let issuance = holders[user.value] { return .alreadyIssued(issuance) }
            switch final {
            case .soldOut: return .soldOut
            case .ended(let endsAt): return .ended(endsAt: endsAt)
            }
        }

        /// Redis answered as the entry says.
        mutating func confirm(at now: ContinuousClock.Instant) {
            confirmedAt = now
            confirming = nil
        }
    }

    struct State {
        var entries: [CouponID: Entry] = [:]
        var loading: Set<CouponID> = []
        /// Coupons whose holders did not fit (or failed to load), and when to try again.
        var uncached: [CouponID: ContinuousClock.Instant] = [:]
        var holders = 0
    }

    public let maxHolders: Int
    public let refreshAfter: Duration
    private let state = Mutex(State())

    public init(maxHolders: Int = 100_000, refreshAfter: Duration = .seconds(1)) {
        self.maxHolders = maxHolders
        self.refreshAfter = refreshAfter
    }

    /// The answer Redis would give, when it is final; nil: ask Redis. When the coupon is due for
    /// its confirmation, the caller that gets nil is the one that goes to confirm it.
    public func answer(coupon: CouponID, user: UserID) -> AdmissionOutcome? {
        answer(coupon: coupon, user: user, claimingConfirmation: true)
    }

    /// The same answer, but a coupon due for its confirmation gives nil without claiming it: for
    /// the event loop's fast path, which then hands the request to the router, whose `answer`
    /// claims the confirmation and asks Redis.
    public func settledAnswer(coupon: CouponID, user: UserID) -> AdmissionOutcome? {
        answer(coupon: coupon, user: user, claimingConfirmation: false)
    }

    private func answer(coupon: CouponID, user: UserID, claimingConfirmation: Bool) -> AdmissionOutcome? {
        state.withLock { state -> AdmissionOutcome? in
            // Most requests are for coupons not (yet) final: no clock read for them.
            guard var entry = state.entries[coupon] else { return nil }
            let now = ContinuousClock.now
            if now - entry.confirmedAt > refreshAfter, entry.confirming.map({ now - $0 > refreshAfter }) ?? true {
                if claimingConfirmation {
                    entry.confirming = now
                    state.entries[coupon] = entry
                }
                return nil
            }
            return entry.answer(for: user)
        }
    }

    /// The cached answer, confirmation or not: for the request that was sent to confirm the entry
    /// and found Redis unreachable (the answer cannot have changed; Redis will be asked again).
    public func cachedAnswer(coupon: CouponID, user: UserID) -> AdmissionOutcome? {
        state.withLock { state -> AdmissionOutcome? in
            state.entries[coupon]?.answer(for: user)
        }
    }

    /// Takes in what Redis answered. Returns the final state whose holders the caller should load
    /// (once per coupon: nil while a load is under way or the coupon is cached already).
    public func learn(coupon: CouponID, _ outcome: AdmissionOutcome) -> Final? {
        let now = ContinuousClock.now
        // A dropped entry's holders are freed after the lock is released (with this local), not
        // while it is held.
        var dropped: Entry?
        return state.withLock { state -> Final? in
            let final: Final
            switch outcome {
            case .soldOut: final = .soldOut
            case .ended(let endsAt): final = .ended(endsAt: endsAt)
            case .alreadyIssued:
                // A holder: the coupon's data is still there; nothing new about the rest.
                state.entries[coupon]?.confirm(at: now)
                return nil
            case .issued, .notStarted, .notFound, .unavailable:
                // Not final, or Redis no longer holds what the entry was built on.
                dropped = state.entries.removeValue(forKey: coupon)
                state.holders -= dropped?.holders.count ?? 0
                return nil
            }
            if var entry = state.entries[coupon] {
                // ENDED outranks SOLD_OUT in the script (window before quantity).
                if case .ended = final { entry.final = final }
                entry.confirm(at: now)
                state.entries[coupon] = entry
                return nil
            }
            guard !state.loading.contains(coupon), state.uncached[coupon].map({ now >= $0 }) ?? true else {
                return nil
            }
            state.uncached[coupon] = nil
            state.loading.insert(coupon)
            return final
        }
    }

    /// Stores the coupon's complete, final holder set, if it fits; `nil` holders: the load failed
    /// or did not fit, and the coupon stays uncached (tried again after ten times `refreshAfter`,
    /// so a coupon too large to keep costs one extra `HLEN` now and then, not per request).
    public func store(coupon: CouponID, _ final: Final, holders: [Issuance]?) {
        // Built before the lock is taken: the event loops take it for every final answer, and
        // 100,000 holders take ~25 ms to put in a dictionary here.
        let byUser = holders.map { holders in
            var byUser: [String: Issuance] = [:]
            byUser.reserveCapacity(holders.count)
            for issuance in holders { byUser[issuance.userId.value] = issuance }
            return byUser
        }
        let now = ContinuousClock.now
        state.withLock { state in
            state.loading.remove(coupon)
            guard let byUser, state.holders + byUser.count <= maxHolders else {
                state.uncached[coupon] = now + refreshAfter * 10
                return
            }
            state.entries[coupon] = Entry(final: final, holders: byUser, confirmedAt: now, confirming: nil)
            state.holders += byUser.count
        }
    }

    /// Room left for holders, for the loader to check before it reads a large hash.
    public var room: Int { state.withLock { maxHolders - $0.holders } }

    /// Coupons and holders kept now (for metrics and tests).
    public var size: (coupons: Int, holders: Int) { state.withLock { ($0.entries.count, $0.holders) } }
}
