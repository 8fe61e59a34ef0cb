import CouponCore
import HTTPTypes
import Hummingbird

/// An error as the API shows it: `{"error": {"code", "message"}}`, plus optional details.
struct APIError: Error, Sendable {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var headers: HTTPFields = [:]
    /// Extra top-level members, e.g. the original issuance of a 409.
    var issuance: IssuanceDTO?

    static func invalid(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "INVALID_REQUEST", message: message)
    }

    static func invalid(_ error: ValidationError) -> APIError { .invalid(error.message) }

    static func unavailable(_ message: String) -> APIError {
        APIError(
            status: .serviceUnavailable, code: "UNAVAILABLE", message: message,
            headers: [.retryAfter: "1"])
    }

    static let couponNotFound = APIError(
        status: .notFound, code: "COUPON_NOT_FOUND", message: "no coupon with this id")
}

extension APIError {
    /// The JSON error body every refusal is answered with, thrown or not.
    static func response(_ error: APIError) -> Response {
        rendered(error).response
    }

    static func rendered(_ error: APIError) -> RenderedAnswer {
        let body = ErrorBody(error: .init(code: error.code, message: error.message), issuance: error.issuance)
        return JSONResponse.render(status: error.status, body, adding: error.headers)
    }
}
