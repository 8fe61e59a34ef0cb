import CouponCore
import Redis

/// A script's `{OUTCOME, detail…}` answer.
struct ScriptReply {
    let values: [String]

    init(_ reply: RedisReply) {
        values = reply.array?.map { $0.string ?? "" } ?? []
    }

    /// The script's outcome; nil for an answer no script gives (a bug, reported as `unexpected`).
    var outcome: ScriptOutcome? { values.first.flatMap(ScriptOutcome.init(rawValue:)) }
    func text(_ index: Int) -> String? { index < values.count ? values[index] : nil }
    func int(_ index: Int) -> Int64? { text(index).flatMap { Int64($0) } }

    /// The issued record `"seq eventId issuedAtMs"` the scripts answer after their outcome.
    func issuance(coupon: CouponID, user: UserID) throws -> Issuance {
        guard let record = text(1), let issuance = Issuance(couponId: coupon, userId: user, record: record) else {
            throw LedgerError.unexpected("\(values)")
        }
        return issuance
    }
}
