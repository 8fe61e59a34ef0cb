import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// Every route and every status over a real socket, each body parsed by Foundation's
/// JSONSerialization: what any JSON client on the wire would see.
@Suite struct WireJSONTests {
    /// Parses a body as a JSON object with Foundation, failing the test if it is anything else.
    static func object(_ response: TestResponse, _ what: String) throws -> [String: Any] {
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(what)")
        let parsed = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        return try #require(parsed as? [String: Any], "\(what): \(String(buffer: response.body))")
    }

    static func error(_ response: TestResponse, _ what: String) throws -> (code: String, message: String) {
        let body = try object(response, what)
        let error = try #require(body["error"] as? [String: Any], "\(what): \(body)")
        let code = try #require(error["code"] as? String, "\(what)")
        let message = try #require(error["message"] as? String, "\(what)")
        #expect(!message.isEmpty)
        return (code, message)
    }

    @Test func everyRouteAndStatusAnswersJSON() async throws {
        let server = try await RedisServer()
        try await withApp(server.configuration, live: true) { client in
            let admin: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(adminToken)"]

            // POST /v1/coupons: 201, 400, 401.
            let created = try await client.post(
                "/v1/coupons", json: #"{"name": "Wire", "quantity": 1}"#, headers: admin)
            #expect(created.status == .created)
            let coupon = try Self.object(created, "201 define")
            let id = try #require(coupon["id"] as? Int)
            #expect(coupon["quantity"] as? Int == 1)
            #expect(coupon["remaining"] as? Int == 1)
            #expect(coupon["name"] as? String == "Wire")
            let badDefinition = try await client.post(
                "/v1/coupons", json: #"{"name": "", "quantity": 1}"#, headers: admin)
            #expect(badDefinition.status == .badRequest)
            #expect(try Self.error(badDefinition, "400 define").code == "INVALID_REQUEST")
            let noToken = try await client.post("/v1/coupons", json: #"{"name": "x", "quantity": 1}"#)
            #expect(noToken.status == .unauthorized)
            #expect(try Self.error(noToken, "401").code == "UNAUTHORIZED")

            // GET /v1/coupons/{id}: 200, 404, 400.
            let shown = try await client.get("/v1/coupons/\(id)")
            #expect(shown.status == .ok)
            #expect(try Self.object(shown, "200 show")["id"] as? Int == id)
            let unknown = try await client.get("/v1/coupons/987654321")
            #expect(unknown.status == .notFound)
            #expect(try Self.error(unknown, "404 show").code == "COUPON_NOT_FOUND")
            #expect(try Self.error(try await client.get("/v1/coupons/abc"), "400 show").code == "INVALID_REQUEST")

            // POST issues: 201, then 409 carrying exactly the 201's issuance, then 410.
            let issued = try await client.post("/v1/coupons/\(id)/issues", json: #"{"userId": "u-42"}"#)
            #expect(issued.status == .created)
            let original = try Self.object(issued, "201 issue")
            #expect(original["seq"] as? Int == 1)
            let again = try await client.post("/v1/coupons/\(id)/issues", json: #"{"userId": "u-42"}"#)
            #expect(again.status == .conflict)
            let conflict = try Self.object(again, "409")
            #expect((conflict["error"] as? [String: Any])?["code"] as? String == "ALREADY_ISSUED")
            let issuance = try #require(conflict["issuance"] as? [String: Any], "\(conflict)")
            #expect(NSDictionary(dictionary: issuance).isEqual(to: original), "\(issuance) vs \(original)")
            let gone = try await client.post("/v1/coupons/\(id)/issues", json: #"{"userId": "u-43"}"#)
            #expect(gone.status == .gone)
            #expect(try Self.error(gone, "410").code == "SOLD_OUT")

            // 404, 400, 413, 415 on the issue route; a JSON 404 for an unknown route.
            let missing = try await client.post("/v1/coupons/987654321/issues", json: #"{"userId": "u"}"#)
            #expect(try Self.error(missing, "404 issue").code == "COUPON_NOT_FOUND")
            let invalid = try await client.post("/v1/coupons/\(id)/issues", json: #"{"userId": ""}"#)
            #expect(invalid.status == .badRequest)
            #expect(try Self.error(invalid, "400 issue").code == "INVALID_REQUEST")
            let big = String(repeating: "x", count: 20 * 1024)
            let tooLarge = try await client.post("/v1/coupons/\(id)/issues", json: #"{"userId": "\#(big)"}"#)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try Self.error(tooLarge, "413").code == "PAYLOAD_TOO_LARGE")
            let text = try await client.post(
                "/v1/coupons/\(id)/issues", json: #"{"userId": "u"}"#, headers: [.contentType: "text/plain"])
            #expect(text.status == .unsupportedMediaType)
            #expect(try Self.error(text, "415").code == "UNSUPPORTED_MEDIA_TYPE")
            #expect(try Self.error(try await client.get("/nowhere"), "404 route").code == "NOT_FOUND")

            // GET issues/{userId}: 200 (the same issuance), 404 NOT_ISSUED.
            let lookup = try await client.get("/v1/coupons/\(id)/issues/u-42")
            #expect(lookup.status == .ok)
            let looked = try Self.object(lookup, "200 lookup")
            #expect(looked["projected"] as? Bool == false)
            #expect(looked["eventId"] as? String == original["eventId"] as? String)
            #expect(looked["seq"] as? Int == 1)
            let notIssued = try await client.get("/v1/coupons/\(id)/issues/nobody")
            #expect(notIssued.status == .notFound)
            #expect(try Self.error(notIssued, "404 lookup").code == "NOT_ISSUED")

            // 422 before the window opens.
            let later = try await client.post(
                "/v1/coupons", json: #"{"name": "Later", "quantity": 5, "startsAt": "2099-01-01T00:00:00Z"}"#,
                headers: admin)
            let laterId = try #require(try Self.object(later, "201 define later")["id"] as? Int)
            let early = try await client.post("/v1/coupons/\(laterId)/issues", json: #"{"userId": "u-1"}"#)
            #expect(early.status == .unprocessableContent)
            #expect(try Self.error(early, "422").code == "NOT_STARTED")

            // Health: 200 and 200; with Redis down, readiness and issues answer 503 JSON.
            #expect(try Self.object(try await client.get("/healthz"), "healthz")["status"] as? String == "ok")
            #expect(try Self.object(try await client.get("/readyz"), "readyz")["status"] as? String == "ready")
            // The sold-out coupon's holders are loaded in the background after its first 410.
            let cachedSoldOut = try await eventually {
                PrometheusText(String(buffer: try await client.get("/metrics").body))["coupon_final_answer_holders"]
                    == 1
            }
            #expect(cachedSoldOut)
            server.stop()
            let notReady = try await client.get("/readyz")
            #expect(notReady.status == .serviceUnavailable)
            #expect(try Self.object(notReady, "503 readyz")["reason"] is String)
            let down = try await client.post("/v1/coupons/\(laterId)/issues", json: #"{"userId": "u-44"}"#)
            #expect(down.status == .serviceUnavailable)
            #expect(down.headers[.retryAfter] == "1")
            #expect(try Self.error(down, "503 issue").code == "UNAVAILABLE")
            // A sold-out coupon's answers are final: still served, the same bytes, with Redis down.
            let stillGone = try await client.post("/v1/coupons/\(id)/issues", json: #"{"userId": "u-45"}"#)
            #expect(stillGone.status == .gone)
            #expect(try Self.error(stillGone, "410 from the final answers").code == "SOLD_OUT")
            let holder = try await client.post("/v1/coupons/\(id)/issues", json: #"{"userId": "u-42"}"#)
            #expect(holder.status == .conflict)
            let cached = try #require(
                try Self.object(holder, "409 from the final answers")["issuance"] as? [String: Any])
            #expect(NSDictionary(dictionary: cached).isEqual(to: original))
        }
    }

    /// At the window's edge: after the end, a holder still gets 409 with the original issuance
    /// (the holder check comes before the window); a non-holder gets 422 ENDED.
    @Test func aHolderRetryingAfterTheEndGetsTheIssuanceNotAnError() async throws {
        try await withApp(try await TestRedis.sharedConfiguration(), live: true) { client in
            // Quantity 1: the probe below gets SOLD_OUT (no write) until the window closes, then ENDED.
            let coupon = try await client.createCoupon(quantity: 1, endsAt: iso(Date().addingTimeInterval(5)))
            let issued = try await client.post("/v1/coupons/\(coupon)/issues", json: #"{"userId": "edge-holder"}"#)
            #expect(issued.status == .created)
            let original = try Self.object(issued, "201")
            // Until the window has closed on Redis's clock (a refused non-holder writes nothing).
            let closed = try await eventually(timeout: .seconds(15), every: .milliseconds(100)) {
                try await client.post("/v1/coupons/\(coupon)/issues", json: #"{"userId": "edge-probe"}"#).errorCode
                    == "ENDED"
            }
            #expect(closed)

            let retry = try await client.post("/v1/coupons/\(coupon)/issues", json: #"{"userId": "edge-holder"}"#)
            #expect(retry.status == .conflict)
            let body = try Self.object(retry, "409 after the end")
            #expect((body["error"] as? [String: Any])?["code"] as? String == "ALREADY_ISSUED")
            let issuance = try #require(body["issuance"] as? [String: Any])
            #expect(NSDictionary(dictionary: issuance).isEqual(to: original))

            let late = try await client.post("/v1/coupons/\(coupon)/issues", json: #"{"userId": "edge-late"}"#)
            #expect(late.status == .unprocessableContent)
            #expect(try Self.error(late, "422 after the end").code == "ENDED")
        }
    }
}
