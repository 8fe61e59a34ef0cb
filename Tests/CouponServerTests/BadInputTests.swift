import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Redis
import TestSupport
import Testing

/// Every bad request gets a 4xx JSON error and writes nothing: the whole dataset's digest is
/// the same before and after.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let method: HTTPRequest.Method
        let path: String
        var headers: HTTPFields = [.contentType: "application/json"]
        let body: String?
        let status: Int
        let code: String
    }

    static let json: HTTPFields = [.contentType: "application/json"]
    static let admin: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(adminToken)"]

    static func cases(coupon: Int64) -> [Case] {
        let issue = "/v1/coupons/\(coupon)/issues"
        return [
            Case(
                description: "malformed JSON", method: .post, path: issue, body: #"{"userId": "#, status: 400,
                code: "INVALID_REQUEST"),
            Case(
                description: "not an object", method: .post, path: issue, body: #"["u"]"#, status: 400,
                code: "INVALID_REQUEST"),
            Case(
                description: "missing userId", method: .post, path: issue, body: "{}", status: 400,
                code: "INVALID_REQUEST"),
            Case(
                description: "numeric userId", method: .post, path: issue, body: #"{"userId": 42}"#, status: 400,
                code: "INVALID_REQUEST"),
            Case(
                description: "null userId", method: .post, path: issue, body: #"{"userId": null}"#, status: 400,
                code: "INVALID_REQUEST"),
            Case(
                description: "empty userId", method: .post, path: issue, body: #"{"userId": ""}"#, status: 400,
                code: "INVALID_REQUEST"),
            Case(
                description: "65-character userId", method: .post, path: issue,
                body: #"{"userId": "\#(String(repeating: "x", count: 65))"}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "control character in userId", method: .post, path: issue,
                body: #"{"userId": "a\u0007b"}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "newline in userId", method: .post, path: issue, body: #"{"userId": "a\nb"}"#, status: 400,
                code: "INVALID_REQUEST"),
            Case(description: "empty body", method: .post, path: issue, body: "", status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "non-numeric coupon id", method: .post, path: "/v1/coupons/abc/issues",
                body: #"{"userId": "u"}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "negative coupon id", method: .post, path: "/v1/coupons/-1/issues",
                body: #"{"userId": "u"}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "zero coupon id", method: .post, path: "/v1/coupons/0/issues", body: #"{"userId": "u"}"#,
                status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "coupon id above 2^63", method: .post, path: "/v1/coupons/9223372036854775808/issues",
                body: #"{"userId": "u"}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "unknown coupon", method: .post, path: "/v1/coupons/987654321/issues",
                body: #"{"userId": "u"}"#, status: 404, code: "COUPON_NOT_FOUND"),
            Case(
                description: "body over 16 KiB", method: .post, path: issue,
                body: #"{"userId": "u", "pad": "\#(String(repeating: "x", count: 17 * 1024))"}"#, status: 413,
                code: "PAYLOAD_TOO_LARGE"),
            Case(
                description: "text/plain", method: .post, path: issue, headers: [.contentType: "text/plain"],
                body: #"{"userId": "u"}"#, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"),
            Case(
                description: "no Content-Type", method: .post, path: issue, headers: [:], body: #"{"userId": "u"}"#,
                status: 415, code: "UNSUPPORTED_MEDIA_TYPE"),
            Case(
                description: "bad X-Request-Id", method: .post, path: issue,
                headers: [
                    .contentType: "application/json",
                    HTTPField.Name("X-Request-Id")!: String(repeating: "r", count: 65),
                ],
                body: #"{"userId": "u"}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "unknown route", method: .get, path: "/v1/nothing", body: nil, status: 404,
                code: "NOT_FOUND"),
            Case(description: "wrong method", method: .delete, path: issue, body: nil, status: 404, code: "NOT_FOUND"),
            Case(
                description: "create without token", method: .post, path: "/v1/coupons",
                body: #"{"name": "x", "quantity": 5}"#, status: 401, code: "UNAUTHORIZED"),
            Case(
                description: "create with wrong token", method: .post, path: "/v1/coupons",
                headers: [.contentType: "application/json", .authorization: "Bearer nope"],
                body: #"{"name": "x", "quantity": 5}"#, status: 401, code: "UNAUTHORIZED"),
            Case(
                description: "quantity 0", method: .post, path: "/v1/coupons", headers: admin,
                body: #"{"name": "x", "quantity": 0}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "negative quantity", method: .post, path: "/v1/coupons", headers: admin,
                body: #"{"name": "x", "quantity": -3}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "fractional quantity", method: .post, path: "/v1/coupons", headers: admin,
                body: #"{"name": "x", "quantity": 1.5}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "quantity as string", method: .post, path: "/v1/coupons", headers: admin,
                body: #"{"name": "x", "quantity": "5"}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "missing name", method: .post, path: "/v1/coupons", headers: admin,
                body: #"{"quantity": 5}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "end before start", method: .post, path: "/v1/coupons", headers: admin,
                body:
                    #"{"name": "x", "quantity": 5, "startsAt": "2030-01-02T00:00:00Z", "endsAt": "2030-01-01T00:00:00Z"}"#,
                status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "end equal to start", method: .post, path: "/v1/coupons", headers: admin,
                body:
                    #"{"name": "x", "quantity": 5, "startsAt": "2030-01-01T00:00:00Z", "endsAt": "2030-01-01T00:00:00Z"}"#,
                status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "end in the past with default start", method: .post, path: "/v1/coupons", headers: admin,
                body: #"{"name": "x", "quantity": 5, "endsAt": "2001-01-01T00:00:00Z"}"#, status: 400,
                code: "INVALID_REQUEST"),
            Case(
                description: "not a time", method: .post, path: "/v1/coupons", headers: admin,
                body: #"{"name": "x", "quantity": 5, "startsAt": "soon"}"#, status: 400, code: "INVALID_REQUEST"),
            Case(
                description: "bad coupon id on GET", method: .get, path: "/v1/coupons/x1", body: nil, status: 400,
                code: "INVALID_REQUEST"),
            Case(
                description: "unknown coupon on GET", method: .get, path: "/v1/coupons/987654321", body: nil,
                status: 404, code: "COUPON_NOT_FOUND"),
        ]
    }

    @Test func everyBadRequestIsRefusedAndWritesNothing() async throws {
        let server = try await RedisServer()
        try await withApp(server.configuration) { client in
            let coupon = try await client.createCoupon(quantity: 10)
            let inspect = RedisClient(configuration: server.configuration)
            defer { inspect.close() }
            let before = try await inspect.digest()
            for c in Self.cases(coupon: coupon) {
                let response = try await client.execute(
                    uri: c.path, method: c.method, headers: c.headers, body: c.body.map { ByteBuffer(string: $0) })
                #expect(Int(response.status.code) == c.status, "\(c)")
                #expect(response.errorCode == c.code, "\(c): \(String(buffer: response.body))")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(c)")
                #expect(try await inspect.digest() == before, "\(c) wrote to Redis")
            }
        }
    }
}
