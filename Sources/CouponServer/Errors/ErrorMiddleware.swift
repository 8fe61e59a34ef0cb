import CouponAudit
import CouponCore
import CouponLedger
import Hummingbird
import Logging
import NIOHTTP1

/// Turns every error, the router's own 404 and 413 included, into the JSON error body.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return APIError.response(error)
        } catch let error as ValidationError {
            return APIError.response(.invalid(error))
        } catch let error as AuditError {
            switch error {
            case .couponNotFound: return APIError.response(.couponNotFound)
            case .tooManyBuckets: return APIError.response(.invalid(error.description))
            }
        } catch let error as LedgerError {
            return APIError.response(map(error))
        } catch let error as any HTTPResponseError {
            return APIError.response(map(error.status))
        } catch let error as HTTPParserError {
            // The client broke off or garbled its request (a stalled client closed by the idle
            // timeout ends here): its problem, not ours, and the answer likely reaches nobody.
            logger.debug("request not read", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return APIError.response(.invalid("the request could not be read: \(error)"))
        } catch {
            logger.error("unhandled error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return APIError.response(
                APIError(status: .internalServerError, code: "INTERNAL", message: "internal error"))
        }
    }

    private func map(_ error: LedgerError) -> APIError {
        switch error {
        case .unavailable, .partitionMismatch:
            return .unavailable("the coupon store is unavailable, retry shortly")
        case .unconfirmed:
            return APIError(
                status: .serviceUnavailable, code: "UNCONFIRMED",
                message: "the issuance could not be confirmed by a replica; retry to learn the outcome",
                headers: [.retryAfter: "1"])
        case .invalid(let validation):
            return .invalid(validation)
        case .unexpected:
            logger.error("ledger error", metadata: ["error": "\(error)"])
            return APIError(status: .internalServerError, code: "INTERNAL", message: "internal error")
        }
    }

    private func map(_ status: HTTPResponse.Status) -> APIError {
        switch status {
        case .notFound: return APIError(status: status, code: "NOT_FOUND", message: "no such route")
        case .contentTooLarge:
            return APIError(status: status, code: "PAYLOAD_TOO_LARGE", message: "request body is too large")
        default:
            return APIError(status: status, code: "HTTP_\(status.code)", message: status.reasonPhrase)
        }
    }

}

struct ErrorBody: JSONWritable {
    struct Detail {
        let code: String
        let message: String
    }
    let error: Detail
    let issuance: IssuanceDTO?

    func write(to writer: inout JSONWriter) {
        writer.object { o in
            o.member("error") { e in
                e.member("code", error.code)
                e.member("message", error.message)
            }
            if let issuance { o.member("issuance", issuance) }
        }
    }
}
