import CouponAudit
import CouponCore
import Foundation
import Hummingbird

/// The audit routes, answered from the SQL archive (on the store's read connection):
/// `GET /v1/coupons/{id}/events`, `…/winners`, `…/rate` and `GET /v1/users/{userId}/issuances`.
/// The shapes are those of `coupon audit … --format json`.
struct AuditController {
    /// nil when the service runs without a projection database.
    let queries: AuditQueries?

    func addRoutes(coupons: RouterGroup<some RequestContext>, users: RouterGroup<some RequestContext>) {
        coupons.get(":id/events", use: events)
        coupons.get(":id/winners", use: winners)
        coupons.get(":id/rate", use: rate)
        users.get(":userId/issuances", use: holdings)
    }

    @Sendable func events(_ request: Request, context: some RequestContext) async throws -> Response {
        let coupon = try PathParameters.couponId(context)
        let query = request.uri.queryParameters
        let after = try query.get("after").map { text -> StreamID in
            guard let id = StreamID(text) else { throw APIError.invalid("after must be an event id like 1795…-0") }
            return id
        }
        let limit = try AuditController.limit(query.get("limit"))
        let page = try await audit().timeline(coupon: coupon, after: after, limit: limit)
        return try JSONResponse.encode(
            TimelinePage(events: page.events.map(EventRecord.init), next: page.next?.description))
    }

    @Sendable func winners(_ request: Request, context: some RequestContext) async throws -> Response {
        let coupon = try PathParameters.couponId(context)
        let query = request.uri.queryParameters
        let fromSeq = try query.get("fromSeq").map { text -> Int64 in
            guard let seq = Int64(text), seq >= 1 else { throw APIError.invalid("fromSeq must be a whole number ≥ 1") }
            return seq
        }
        let limit = try AuditController.limit(query.get("limit"))
        let winners = try await audit().winners(coupon: coupon, fromSeq: fromSeq ?? 1, toSeq: nil, limit: limit)
        return try JSONResponse.encode(winners.map(WinnerRecord.init))
    }

    @Sendable func rate(_ request: Request, context: some RequestContext) async throws -> Response {
        let coupon = try PathParameters.couponId(context)
        let text = request.uri.queryParameters.get("bucket") ?? RateReport.Bucket.second.rawValue
        guard let bucket = RateReport.Bucket(rawValue: text) else {
            throw APIError.invalid("bucket must be one of 1s, 10s, 1m")
        }
        return try JSONResponse.encode(RateRecord(try await audit().rate(coupon: coupon, bucket: bucket)))
    }

    @Sendable func holdings(_ request: Request, context: some RequestContext) async throws -> Response {
        let user = try PathParameters.userId(context)
        return try JSONResponse.encode(try await audit().holdings(user: user).map(HoldingRecord.init))
    }

    private func audit() throws -> AuditQueries {
        guard let queries else {
            throw APIError(
                status: .serviceUnavailable, code: "UNAVAILABLE",
                message: "audit queries need the projection database (--database)")
        }
        return queries
    }

    /// `limit`: 1…1000, 100 when absent.
    static func limit(_ text: String?) throws -> Int {
        guard let text else { return AuditQueries.defaultLimit }
        guard let limit = Int(text), (1...AuditQueries.maxLimit).contains(limit) else {
            throw APIError.invalid("limit must be a whole number from 1 to \(AuditQueries.maxLimit)")
        }
        return limit
    }
}
