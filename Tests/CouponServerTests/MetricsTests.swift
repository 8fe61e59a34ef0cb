import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// `GET /metrics` after a known sequence of requests: every outcome counted exactly.
@Suite struct MetricsTests {
    @Test func issueOutcomesAreCountedExactly() async throws {
        let server = try await RedisServer()
        try await withApp(server.configuration) { client in
            let coupon = try await client.createCoupon(quantity: 2)
            let later = try await client.createCoupon(quantity: 2, startsAt: "2099-01-01T00:00:00Z")
            let sequence: [(String, String)] = [
                ("/v1/coupons/\(coupon)/issues", #"{"userId": "a"}"#),  // issued
                ("/v1/coupons/\(coupon)/issues", #"{"userId": "b"}"#),  // issued
                ("/v1/coupons/\(coupon)/issues", #"{"userId": "a"}"#),  // already issued
                ("/v1/coupons/\(coupon)/issues", #"{"userId": "c"}"#),  // sold out
                ("/v1/coupons/\(coupon)/issues", #"{"userId": "d"}"#),  // sold out
                ("/v1/coupons/\(later)/issues", #"{"userId": "a"}"#),  // not started
                ("/v1/coupons/987654321/issues", #"{"userId": "a"}"#),  // not found
                ("/v1/coupons/\(coupon)/issues", #"{"userId": ""}"#),  // invalid
                ("/v1/coupons/abc/issues", #"{"userId": "a"}"#),  // invalid
            ]
            for (path, body) in sequence { _ = try await client.post(path, json: body) }
            server.stop()
            _ = try await client.post("/v1/coupons/\(later)/issues", json: #"{"userId": "e"}"#)  // unavailable
            try await server.start()

            let response = try await client.get("/metrics")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let metrics = PrometheusText(String(buffer: response.body))
            let expected: [String: Double] = [
                "issued": 2, "already_issued": 1, "sold_out": 2, "not_started": 1, "ended": 0, "not_found": 1,
                "invalid": 2, "unavailable": 1,
            ]
            for (outcome, count) in expected {
                #expect(metrics[#"coupon_issue_requests_total{outcome="\#(outcome)"}"#] == count, "\(outcome)")
                #expect(metrics[#"coupon_issue_duration_seconds_count{outcome="\#(outcome)"}"#] == count, "\(outcome)")
            }
            // Every admission that reached Redis went through a pipelined round trip.
            #expect((metrics["coupon_redis_pipeline_depth_commands_sum"] ?? 0) >= 7)
            #expect((metrics["coupon_redis_round_trip_seconds_count"] ?? 0) >= 1)
            // The log gauges, read from Redis at scrape time: 2 definitions + 2 issuances.
            let length = (0..<4).compactMap { metrics[#"coupon_stream_length_entries{partition="\#($0)"}"#] }
            #expect(length.reduce(0, +) == 4, "\(length)")
        }
    }
}
