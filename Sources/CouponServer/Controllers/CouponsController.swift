import CouponCore
import CouponLedger
import Hummingbird

/// `POST /v1/coupons` (admin) and `GET /v1/coupons/{id}`.
struct CouponsController<Ledger: CouponLedger> {
    let ledger: Ledger
    let body: JSONBody
    let adminToken: String

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.post(use: create)
        group.get(":id", use: show)
    }

    @Sendable func create(_ request: Request, context: some RequestContext) async throws -> Response {
        try authorize(request)
        let draft = try await body.decode(CreateCouponRequest.self, from: request).draft()
        let coupon = try await ledger.define(draft)
        return JSONResponse.make(status: .created, CouponDTO(coupon))
    }

    @Sendable func show(_ request: Request, context: some RequestContext) async throws -> Response {
        let id = try PathParameters.couponId(context)
        guard let coupon = try await ledger.coupon(id) else { throw APIError.couponNotFound }
        return JSONResponse.make(status: .ok, CouponDTO(coupon))
    }

    private func authorize(_ request: Request) throws {
        let presented = request.headers[.authorization] ?? ""
        guard ConstantTime.equal(presented, "Bearer " + adminToken) else {
            throw APIError(
                status: .unauthorized, code: "UNAUTHORIZED",
                message: "this route needs 'Authorization: Bearer <admin token>'",
                headers: [.wwwAuthenticate: "Bearer"])
        }
    }
}
