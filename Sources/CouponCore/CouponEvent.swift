/// An event of the log, decoded from a stream entry's flat string fields (schema version 1).
public enum CouponEvent: Sendable, Equatable {
    case defined(Defined)
    case issued(Issued)

    public struct Defined: Sendable, Equatable {
        public let coupon: CouponID
        public let name: String
        public let total: Int64
        public let startsAt: Int64
        public let endsAt: Int64
        public let at: Int64

        public init(coupon: CouponID, name: String, total: Int64, startsAt: Int64, endsAt: Int64, at: Int64) {
            self.coupon = coupon
            self.name = name
            self.total = total
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.at = at
        }
    }

    public struct Issued: Sendable, Equatable {
        public let coupon: CouponID
        public let user: UserID
        public let seq: Int64
        public let at: Int64
        public let requestId: String?
    }

    public static let typeDefined = "CouponDefined"
    public static let typeIssued = "CouponIssued"

    public var coupon: CouponID {
        switch self {
        case .defined(let event): return event.coupon
        case .issued(let event): return event.coupon
        }
    }

    public var occurredAt: Int64 {
        switch self {
        case .defined(let event): return event.at
        case .issued(let event): return event.at
        }
    }

    public var type: String {
        switch self {
        case .defined: return CouponEvent.typeDefined
        case .issued: return CouponEvent.typeIssued
        }
    }

    /// Decodes, or explains which field is wrong: such an entry is poison for the projection.
    /// A linear scan over the handful of fields beats building a dictionary per event.
    public init(fields: [LoggedEvent.Field]) throws(EventDecodingError) {
        func optional(_ name: String) -> String? { fields.first { $0.name == name }?.value }
        func text(_ name: String) throws(EventDecodingError) -> String {
            guard let value = optional(name) else { throw EventDecodingError("missing field '\(name)'") }
            return value
        }
        func number(_ name: String) throws(EventDecodingError) -> Int64 {
            guard let value = Int64(try text(name)) else { throw EventDecodingError("field '\(name)' is not a number") }
            return value
        }
        func coupon() throws(EventDecodingError) -> CouponID {
            let value = try text("coupon")
            do { return try CouponID(parsing: value) } catch {
                throw EventDecodingError("field 'coupon': \(error.message)")
            }
        }
        guard try text("v") == "1" else { throw EventDecodingError("unknown schema version '\(optional("v") ?? "")'") }
        switch try text("type") {
        case CouponEvent.typeDefined:
            let total = try number("total")
            let startsAt = try number("startsAt")
            let endsAt = try number("endsAt")
            guard total > 0, endsAt > startsAt else { throw EventDecodingError("impossible definition") }
            self = .defined(
                Defined(
                    coupon: try coupon(), name: try text("name"), total: total, startsAt: startsAt, endsAt: endsAt,
                    at: try number("at")))
        case CouponEvent.typeIssued:
            let userText = try text("user")
            let user: UserID
            do { user = try UserID(userText) } catch { throw EventDecodingError("field 'user': \(error.message)") }
            let seq = try number("seq")
            guard seq > 0 else { throw EventDecodingError("field 'seq' must be positive") }
            self = .issued(
                Issued(coupon: try coupon(), user: user, seq: seq, at: try number("at"), requestId: optional("req")))
        case let other:
            throw EventDecodingError("unknown event type '\(other)'")
        }
    }
}

public struct EventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
