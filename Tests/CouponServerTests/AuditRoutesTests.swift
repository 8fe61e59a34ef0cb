import CouponStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// The audit routes over a real socket, every body parsed by JSONSerialization.
@Suite struct AuditRoutesTests {
    static func parse(_ response: TestResponse) throws -> Any {
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
        return try JSONSerialization.jsonObject(with: Data(buffer: response.body))
    }

    static func objects(_ response: TestResponse) throws -> [[String: Any]] {
        try #require(try parse(response) as? [[String: Any]], "\(String(buffer: response.body))")
    }

    @Test func eventsWinnersRateAndUserHistoryAnswerTheDocumentedShapes() async throws {
        let database = DatabaseURL.sqlite(
            path: FileManager.default.temporaryDirectory.appendingPathComponent("coupon-audit-\(UUID()).sqlite").path)
        let redis = try await TestRedis.sharedConfiguration()
        try await withApp(redis, database: database, workers: 1, live: true) { client in
            let coupon = try await client.createCoupon(quantity: 5)
            let other = try await client.createCoupon(quantity: 50)
            // Unique per run: the shared Redis keeps earlier runs' events, and this worker projects them.
            let tricky = "' OR 1=1 -- \(UUID().uuidString.prefix(8))"
            let users = [tricky] + (1...7).map { "audit-\($0)" }
            var issued = 0
            for user in users {
                let body = try JSONSerialization.data(withJSONObject: ["userId": user])
                let answer = try await client.post(
                    "/v1/coupons/\(coupon)/issues", json: String(decoding: body, as: UTF8.self))
                if answer.status == .created { issued += 1 }
            }
            #expect(issued == 5)
            let trickyBody = try JSONSerialization.data(withJSONObject: ["userId": tricky])
            _ = try await client.post("/v1/coupons/\(other)/issues", json: String(decoding: trickyBody, as: UTF8.self))
            let encodedTricky = tricky.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let projected = try await eventually {
                let held = try Self.objects(try await client.get("/v1/users/\(encodedTricky)/issuances"))
                // 404 COUPON_NOT_FOUND until the worker has projected the coupon's definition (a
                // cold first run here asked before it had); any other refusal fails the test.
                let answer = try await client.get("/v1/coupons/\(coupon)/winners")
                if answer.status == .notFound {
                    let error = (try Self.parse(answer) as? [String: Any])?["error"] as? [String: Any]
                    #expect(error?["code"] as? String == "COUPON_NOT_FOUND")
                    return false
                }
                let winners = try Self.objects(answer)
                return held.count == 2 && winners.count == 5
            }
            #expect(projected)

            // Timeline, paged by `next` until null: the definition first, then five issuances.
            var events: [[String: Any]] = []
            var next: String? = nil
            repeat {
                let query = next.map { "&after=\($0)" } ?? ""
                let page = try #require(
                    try Self.parse(try await client.get("/v1/coupons/\(coupon)/events?limit=2\(query)"))
                        as? [String: Any])
                let batch = try #require(page["events"] as? [[String: Any]])
                #expect(batch.count <= 2)
                events += batch
                next = page["next"] as? String
                #expect(page["next"] is String || page["next"] is NSNull, "next must be a cursor or null")
            } while next != nil
            #expect(events.count == 6)
            #expect(Set(events[0].keys) == ["eventId", "partition", "type", "couponId", "at"])
            #expect(events[0]["type"] as? String == "CouponDefined")
            #expect(Set(events[1].keys) == ["eventId", "partition", "type", "couponId", "userId", "seq", "at"])
            #expect(events.dropFirst().map { $0["seq"] as? Int } == [1, 2, 3, 4, 5])

            let winners = try Self.objects(try await client.get("/v1/coupons/\(coupon)/winners?fromSeq=2&limit=2"))
            #expect(winners.map { $0["seq"] as? Int } == [2, 3])
            #expect(Set(winners[0].keys) == ["seq", "userId", "eventId", "issuedAt"])
            #expect(winners[0]["eventId"] as? String == events[2]["eventId"] as? String)

            let held = try Self.objects(try await client.get("/v1/users/\(encodedTricky)/issuances"))
            #expect(Set(held[0].keys) == ["couponId", "seq", "eventId", "issuedAt"])
            #expect(held.map { $0["seq"] as? Int } == [1, 1], "only the literal user's rows")

            let rate = try #require(
                try Self.parse(try await client.get("/v1/coupons/\(coupon)/rate?bucket=10s")) as? [String: Any])
            let buckets = try #require(rate["buckets"] as? [[String: Any]])
            #expect(buckets.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 5)
            #expect(rate["soldOutAt"] is String)
            #expect(rate["secondsToSellOut"] is Double || rate["secondsToSellOut"] is Int)
            let open = try #require(try Self.parse(try await client.get("/v1/coupons/\(other)/rate")) as? [String: Any])
            #expect(open["soldOutAt"] is NSNull && open["secondsToSellOut"] is NSNull, "\(open)")

            for path in ["events", "winners", "rate"] {
                let missing = try await client.get("/v1/coupons/987654321/\(path)")
                #expect(missing.status == .notFound)
                #expect(missing.errorCode == "COUPON_NOT_FOUND")
            }
            for bad in [
                "events?limit=0", "events?limit=1001", "events?after=x-1", "winners?fromSeq=0", "rate?bucket=2s",
            ] {
                let refused = try await client.get("/v1/coupons/\(coupon)/\(bad)")
                #expect(refused.status == .badRequest, "\(bad)")
                #expect(refused.errorCode == "INVALID_REQUEST", "\(bad)")
            }
        }
    }
}
