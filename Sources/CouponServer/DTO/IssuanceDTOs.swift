import CouponCore

struct IssueRequest: FlatJSONDecodable {
    let userId: String

    init?(strings: [String: String]) {
        guard let userId = strings["userId"] else { return nil }
        self.userId = userId
    }
}

struct IssuanceDTO: Sendable, JSONWritable {
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

    func write(to writer: inout JSONWriter) {
        writer.object { o in
            o.member("couponId", couponId)
            o.member("eventId", eventId)
            o.member("issuedAt", issuedAt)
            if let projected { o.member("projected", projected) }
            o.member("seq", seq)
            o.member("userId", userId)
        }
    }
}
