import CouponCore

struct CreateCouponRequest: Decodable {
    public let name: String
    public let quantity: Int64
    public let startsAt: String?
    public let endsAt: String?

    func draft() throws(ValidationError) -> CouponDraft {
        try CouponDraft.parsing(name: name, quantity: quantity, startsAt: startsAt, endsAt: endsAt)
    }
}

public struct CouponDTO: Encodable, Sendable, JSONWritable {
    public let id: Int64
    public let name: String
    public let quantity: Int64
    public let startsAt: String
    public let endsAt: String
    public let issued: Int64
    public let remaining: Int64
    public let definedEventId: String
    public let definedAt: String

    public init(_ coupon: Coupon) {
        id = coupon.id.value
        name = coupon.name
        quantity = coupon.quantity
        startsAt = EpochMillis.format(coupon.startsAt)
        endsAt = EpochMillis.format(coupon.endsAt)
        issued = coupon.issued
        remaining = coupon.remaining
        definedEventId = coupon.definedEventId
        definedAt = EpochMillis.format(coupon.definedAt)
    }

    func write(to writer: inout JSONWriter) {
        writer.object { o in
            o.member("definedAt", definedAt)
            o.member("definedEventId", definedEventId)
            o.member("endsAt", endsAt)
            o.member("id", id)
            o.member("issued", issued)
            o.member("name", name)
            o.member("quantity", quantity)
            o.member("remaining", remaining)
            o.member("startsAt", startsAt)
        }
    }
}
