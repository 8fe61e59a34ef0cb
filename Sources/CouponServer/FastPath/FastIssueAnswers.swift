import CouponCore
import CouponLedger
import CouponMetrics
import HTTPTypes
import NIOCore

/// Answers an issue request whose answer is already final — the coupon sold out or ended, and
/// `FinalAnswers` holds its holders — synchronously, on the connection's event loop. The router
/// would give the same answer from the same memory, but only after the request has crossed to a
/// task on the Swift pool and the answer back to the event loop: measured, that crossing is most
/// of what a sold-out answer costs (README, "Sold out is final").
///
/// It answers only what it can check completely here, with the router's own checks in the
/// router's order (client address rate, path, media type, body, user id, user rate; a malformed
/// `X-Request-Id` is the router's to refuse); anything else — a request it cannot parse, a coupon
/// that is not final, a final coupon due for its confirmation by Redis — it leaves to the router,
/// having changed nothing (no rate-limit token taken). Not used with `--auth jwt`, whose token
/// check is asynchronous.
struct FastIssueAnswers: Sendable {
    let finalAnswers: FinalAnswers
    let access: AccessControl
    let maxBodySize: Int
    let metrics: IssueMetrics

    /// The coupon asked for, when this request's parts are worth keeping until its end to try: a
    /// POST to the issue route, with a JSON body, on a connection that stays open (closing one is
    /// the router's business); nil: the router's.
    func candidate(_ head: HTTPRequest) -> CouponID? {
        guard head.method == .post, head.headerFields[.contentType].map(JSONBody.isJSON) == true,
            head.headerFields[.connection] == nil, head.headerFields[.expect] == nil
        else { return nil }
        return Self.coupon(inPath: head.path)
    }

    /// The answer to a `candidate` for `coupon`, or nil: hand the request to the router.
    func answer(
        _ head: HTTPRequest, coupon: CouponID, body: ByteBuffer?, peer: () -> SocketAddress?
    ) -> RenderedAnswer? {
        let started = ContinuousClock.now
        guard Self.requestIDIsValid(head.headerFields),
            let body, body.readableBytes <= maxBodySize,
            let members = body.withUnsafeReadableBytes(FlatJSON.members),
            let claimed = IssueRequest(members: members)?.userId,
            let user = try? UserID(claimed),
            let final = finalAnswers.settledAnswer(coupon: coupon, user: user)
        else { return nil }
        let outcome: IssueOutcome
        let answer: RenderedAnswer
        do {
            try access.checkAddress(head.headerFields, peer: peer())
            try access.checkUser(user)
            (outcome, answer) = AdmissionAnswer.render(final)
        } catch {
            (outcome, answer) = (.rateLimited, APIError.rendered(error))
        }
        metrics.record(outcome, duration: ContinuousClock.now - started, onEventLoop: true)
        return answer
    }

    /// Absent or valid; a malformed `X-Request-Id` is the router's to refuse (400). (Not `try?`:
    /// it would flatten an absent one, a valid nil, into a failure.)
    private static func requestIDIsValid(_ headers: HTTPFields) -> Bool {
        do {
            _ = try IssueRequest.requestID(in: headers)
            return true
        } catch {
            return false
        }
    }

    /// The coupon of `/v1/coupons/{id}/issues`, exactly that path (no query, no encoding: those go
    /// to the router).
    static func coupon(inPath path: String?) -> CouponID? {
        guard var path else { return nil }
        return path.withUTF8 { bytes -> CouponID? in
            let prefix = "/v1/coupons/".utf8
            let suffix = "/issues".utf8
            let end = bytes.count - suffix.count
            guard end > prefix.count, bytes.starts(with: prefix), bytes[end...].elementsEqual(suffix) else {
                return nil
            }
            return CouponID(digits: UnsafeBufferPointer(rebasing: bytes[prefix.count..<end]))
        }
    }
}
