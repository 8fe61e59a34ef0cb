import CouponCore
import CouponLedger
import CouponMetrics
import CouponStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `POST /v1/coupons/{id}/issues` and `GET /v1/coupons/{id}/issues/{userId}`.
/// The admission outcome is turned into an HTTP status here, at the edge, and nowhere else.
struct IssuesController<Ledger: CouponLedger> {
    let ledger: Ledger
    let projection: (any ProjectionStore)?
    let body: JSONBody
    let access: AccessControl
    let logger: Logger
    let metrics: IssueMetrics

    /// `issue`: the flash-sale route's group; `lookups`: a group of the same path for the lookup.
    func addRoutes<Context: RemoteAddressRequestContext>(
        issue: RouterGroup<Context>, lookups: RouterGroup<some RequestContext>
    ) {
        issue.post(use: self.issue)
        lookups.get(":userId", use: show)
    }

    /// Every request is counted by outcome and timed, whether it is answered or refused. What is
    /// checked before Redis, in order: the client address's rate, the path, the body, who the user
    /// is, the user's rate, room among the admissions in flight.
    @Sendable func issue(_ request: Request, context: some RemoteAddressRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let outcome: IssueOutcome
        let answer: Result<Response, any Error>
        do {
            try access.checkAddress(request.headers, peer: context.remoteAddress)
            let coupon = try PathParameters.couponId(context)
            let claimed = try await body.decode(IssueRequest.self, from: request).userId
            let user = try await access.user(request, claimed: claimed)
            try access.checkUser(user)
            let requestId = try IssueRequest.requestID(in: request.headers)
            guard access.enter() else { throw AccessControl.overloaded }
            defer { access.leave() }
            let admitted = AdmissionAnswer.render(
                try await ledger.admit(coupon: coupon, user: user, requestId: requestId))
            (outcome, answer) = (admitted.outcome, .success(admitted.answer.response))
        } catch let error as LedgerError {
            (outcome, answer) = (.unavailable, .failure(error))
        } catch let error as APIError {
            (outcome, answer) = (Self.outcome(of: error), .success(APIError.response(error)))
        } catch {
            // Refused before Redis: the path, the body, the headers.
            (outcome, answer) = (.invalid, .failure(error))
        }
        metrics.record(outcome, duration: ContinuousClock.now - started)
        return try answer.get()
    }

    /// How a refusal before Redis is counted.
    private static func outcome(of error: APIError) -> IssueOutcome {
        switch error.status {
        case .unauthorized, .forbidden: .unauthenticated
        case .tooManyRequests: .rateLimited
        case .serviceUnavailable: .overloaded
        default: .invalid
        }
    }

    /// With `--auth jwt` a user may look up their own issuances only.
    @Sendable func show(_ request: Request, context: some RequestContext) async throws -> Response {
        let coupon = try PathParameters.couponId(context)
        let user = try PathParameters.userId(context)
        if access.policy.jwt != nil { _ = try await access.user(request, claimed: user.value) }
        if let projected = await projectedIssuance(coupon: coupon, user: user) {
            return JSONResponse.make(status: .ok, IssuanceDTO(projected, projected: true))
        }
        switch try await ledger.issuance(coupon: coupon, user: user) {
        case .issued(let issuance):
            return JSONResponse.make(status: .ok, IssuanceDTO(issuance, projected: false))
        case .notIssued:
            throw APIError(status: .notFound, code: "NOT_ISSUED", message: "this user holds no such coupon")
        case .couponNotFound:
            throw APIError.couponNotFound
        }
    }

    /// The issuance as the SQL projection holds it; nil when it does not hold it yet, or cannot be
    /// read (then Redis, the source of truth, answers).
    private func projectedIssuance(coupon: CouponID, user: UserID) async -> Issuance? {
        guard let projection else { return nil }
        do {
            return try await projection.issuance(coupon: coupon, user: user)
        } catch {
            logger.warning("projection lookup failed; answering from Redis", metadata: ["error": "\(error)"])
            return nil
        }
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}
