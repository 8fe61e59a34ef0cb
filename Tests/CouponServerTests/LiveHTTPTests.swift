import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// The same application over a real socket: HTTP parsing, Content-Length limits and JSON errors
/// as a client on the wire sees them.
@Suite struct LiveHTTPTests {
    @Test func issuesAndRefusesOverARealSocket() async throws {
        try await withApp(try await TestRedis.sharedConfiguration(), live: true) { client in
            let coupon = try await client.createCoupon(quantity: 1)
            let issued = try await client.post("/v1/coupons/\(coupon)/issues", json: #"{"userId": "wire-1"}"#)
            #expect(issued.status == .created)
            #expect(issued.json["seq"] as? Int == 1)
            let soldOut = try await client.post("/v1/coupons/\(coupon)/issues", json: #"{"userId": "wire-2"}"#)
            #expect(soldOut.status == .gone)
            #expect(soldOut.errorCode == "SOLD_OUT")

            let big = String(repeating: "x", count: 20 * 1024)
            let tooLarge = try await client.post("/v1/coupons/\(coupon)/issues", json: #"{"userId": "\#(big)"}"#)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.errorCode == "PAYLOAD_TOO_LARGE")

            let missing = try await client.get("/nowhere")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(try await client.get("/healthz").status == .ok)
        }
    }
}
