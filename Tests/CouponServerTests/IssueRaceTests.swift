import CouponCore
import Foundation
import HummingbirdTesting
import Redis
import TestSupport
import Testing

@Suite struct IssueRaceTests {
    /// The flash sale: 500 coupons, 5,000 distinct users at once, plus 50 users who each press
    /// the button 20 times in parallel. Exactly 500 are issued, seq 1…500, at most one per user,
    /// and the log holds exactly the 500 answers given (seq, and `issuedAt` to the millisecond of
    /// the event's `at`).
    @Test func exactly500IssuedToDistinctUsersWithSeq1To500() async throws {
        let redis = try await TestRedis.sharedConfiguration()
        try await withApp(redis) { client in
            let coupon = try await client.createCoupon(name: "Nego King 500", quantity: 500)
            var requests: [String] = (0..<5_000).map { "user-\($0)" }
            for eager in 0..<50 { requests += Array(repeating: "eager-\(eager)", count: 20) }
            requests.shuffle()

            let answers = try await withThrowingTaskGroup(of: (String, Int, Int?, String?).self) { group in
                for user in requests {
                    group.addTask {
                        let response = try await client.post(
                            "/v1/coupons/\(coupon)/issues", json: #"{"userId": "\#(user)"}"#)
                        let json = response.json
                        return (user, Int(response.status.code), json["seq"] as? Int, json["issuedAt"] as? String)
                    }
                }
                return try await group.reduce(into: [(String, Int, Int?, String?)]()) { $0.append($1) }
            }

            let issued = answers.filter { $0.1 == 201 }
            #expect(issued.count == 500)
            #expect(Set(issued.map { $0.2 ?? -1 }) == Set(1...500))
            #expect(Set(issued.map(\.0)).count == 500, "at most one 201 per user")
            #expect(answers.allSatisfy { [201, 409, 410].contains($0.1) })
            #expect(answers.filter { $0.1 == 409 }.allSatisfy { $0.0.hasPrefix("eager-") })

            // Redis agrees: 500 in the issued hash, 500 CouponIssued events matching the answers.
            let inspect = RedisClient(configuration: redis)
            defer { inspect.close() }
            let id = try CouponID(coupon)
            let p = try Partitioning(count: 4).partition(of: id)
            #expect(try await inspect.command("HLEN", Partitioning.issuedKey(p, id)) == .integer(500))
            let entries = try await inspect.command("XRANGE", Partitioning.eventsKey(p), "-", "+").array ?? []
            var logged: [String: String] = [:]
            for entry in entries {
                let flat = entry.array?[1].array?.compactMap(\.string) ?? []
                let fields = Dictionary(
                    uniqueKeysWithValues: stride(from: 0, to: flat.count - 1, by: 2).map { (flat[$0], flat[$0 + 1]) })
                if fields["type"] == "CouponIssued", fields["coupon"] == id.description {
                    #expect(logged[fields["user"] ?? ""] == nil)
                    logged[fields["user"] ?? ""] = "\(fields["seq"] ?? "") \(fields["at"] ?? "")"
                }
            }
            let answered = Dictionary(
                uniqueKeysWithValues: try issued.map { ($0.0, "\($0.2 ?? -1) \(try EpochMillis.parse($0.3 ?? ""))") })
            #expect(logged == answered)
        }
    }
}
