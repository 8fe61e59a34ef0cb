import CouponCore

struct IssueRequest: Decodable {
    let userId: String
}

struct IssuanceDTO: Encodable, Sendable {
    let couponId: Int64
    let userId: String
    let seq: Int64
    let eventId: String
    let issuedAt: String
    /// Present on lookups: whether the SQL projection already holds this issuance.
    let projected: Bool?

    init(_ issuance: Issuance, projected: Bool? = nil) {
        couponId = issuance.couponId.value
        userId = issuance.userId.value
        seq = issuance.seq
        eventId = issuance.eventId
        issuedAt = EpochMillis.format(issuance.issuedAt)
        self.projected = projected
    }
}
