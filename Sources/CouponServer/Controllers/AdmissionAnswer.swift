import CouponCore
import CouponMetrics

/// The admission outcome as HTTP, for the issue route and the event loop's fast path alike. Refusals
/// are rendered here, by the function the error middleware renders with (the same bytes), rather
/// than thrown: a sale's flood is mostly refusals, and a thrown error costs its allocation and the
/// unwinding through the middleware.
enum AdmissionAnswer {
    static func render(_ admission: AdmissionOutcome) -> (outcome: IssueOutcome, answer: RenderedAnswer) {
        switch admission {
        case .issued(let issuance):
            return (.issued, JSONResponse.render(status: .created, IssuanceDTO(issuance)))
        case .alreadyIssued(let issuance):
            var error = APIError(
                status: .conflict, code: "ALREADY_ISSUED", message: "this user already holds this coupon")
            error.issuance = IssuanceDTO(issuance)
            return (.alreadyIssued, APIError.rendered(error))
        case .soldOut:
            return (.soldOut, soldOut)
        case .notStarted(let startsAt):
            return (.notStarted, outsideWindow("NOT_STARTED", "issuance starts at \(EpochMillis.format(startsAt))"))
        case .ended(let endsAt):
            return (.ended, outsideWindow("ENDED", "issuance ended at \(EpochMillis.format(endsAt))"))
        case .notFound:
            return (.notFound, APIError.rendered(APIError.couponNotFound))
        case .unavailable:
            return (
                .unavailable,
                APIError.rendered(APIError.unavailable("the coupon store lost its data and is waiting for an operator"))
            )
        }
    }

    private static func outsideWindow(_ code: String, _ message: String) -> RenderedAnswer {
        APIError.rendered(APIError(status: .unprocessableContent, code: code, message: message))
    }

    /// The 410 is the same for everyone: rendered once.
    private static let soldOut = APIError.rendered(
        APIError(status: .gone, code: "SOLD_OUT", message: "every coupon has been issued"))
}
