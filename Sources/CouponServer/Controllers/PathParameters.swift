import CouponCore
import Foundation
import Hummingbird

/// The path's `:id` and `:userId`, validated the same way on every route.
enum PathParameters {
    static func couponId(_ context: some RequestContext) throws -> CouponID {
        try CouponID(parsing: context.parameters.get("id") ?? "")
    }

    /// The router hands path segments over still percent-encoded (`a%20b`, `me%40x.com`).
    static func userId(_ context: some RequestContext) throws -> UserID {
        guard let decoded = context.parameters.get("userId")?.removingPercentEncoding else {
            throw APIError.invalid("userId in the path is not valid percent-encoding")
        }
        return try UserID(decoded)
    }
}
