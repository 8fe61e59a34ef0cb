import CouponCore
import HTTPTypes

struct IssueRequest: FlatJSONDecodable {
    /// Required with `--auth none`; with `--auth jwt` optional, and if present it must be the
    /// token's subject.
    let userId: String?

    init?(members: [(name: String, value: String)]) {
        userId = members.first { $0.name == "userId" }?.value
    }

    /// The optional `X-Request-Id`, recorded in the event as `req`; same rules as a user id.
    static func requestID(in headers: HTTPFields) throws(APIError) -> String? {
        guard let value = headers[.requestID] else { return nil }
        do {
            return try UserID(value).value
        } catch {
            throw APIError.invalid("X-Request-Id must be 1–64 printable characters")
        }
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
