import CouponStore
import Fixtures
import Foundation
import HummingbirdTesting
import Redis
import TestSupport
import Testing

@Suite struct ProjectedLookupTests {
    static func database() -> DatabaseURL {
        .sqlite(path: FileManager.default.temporaryDirectory.appendingPathComponent("coupon-api-\(UUID()).sqlite").path)
    }

    /// The in-process worker projects a 201 with no further request. How fast is measured by the
    /// benchmarks (projection lag); the 10 s bound here only tells "projected" from "never", on a
    /// machine the whole suite (six-node clusters included) is loading at the same time.
    @Test(arguments: TestEngine.servers)
    func anIssuanceIsProjectedPromptlyAfterIts201(engine: TestEngine) async throws {
        let server = try await RedisServer()
        let url = try await engine.freshDatabase()
        let database = try DatabaseURL(url)
        try await withApp(server.configuration, database: database, workers: 1) { client in
            let coupon = try await client.createCoupon(quantity: 10)
            #expect(
                try await client.post("/v1/coupons/\(coupon)/issues", json: #"{"userId": "p1"}"#).status == .created)
            let issued = ContinuousClock.now
            var projected = false
            while !projected && ContinuousClock.now - issued < .seconds(10) {
                projected = try await client.get("/v1/coupons/\(coupon)/issues/p1").json["projected"] as? Bool == true
                if !projected { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(projected, "not projected within 10 s of the 201")
            let rows = try Table.rows(url, "SELECT user_id, seq FROM coupon_issues WHERE coupon_id = \(coupon)")
            #expect(rows == ["p1|1"])
        }
    }

    @Test func withoutAWorkerTheLookupAnswersFromRedisWithProjectedFalse() async throws {
        try await withApp(try await TestRedis.sharedConfiguration(), database: Self.database(), workers: 0) { client in
            let coupon = try await client.createCoupon(quantity: 10)
            _ = try await client.post("/v1/coupons/\(coupon)/issues", json: #"{"userId": "p2"}"#)
            let lookup = try await client.get("/v1/coupons/\(coupon)/issues/p2")
            #expect(lookup.status == .ok)
            #expect(lookup.json["projected"] as? Bool == false)
            #expect(lookup.json["seq"] as? Int == 1)
        }
    }
}
