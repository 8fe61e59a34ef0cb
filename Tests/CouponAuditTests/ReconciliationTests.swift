import CouponAudit
import CouponCore
import CouponStore
import Fixtures
import Foundation
import Redis
import TestSupport
import Testing

/// `coupon audit verify`'s reconciliation: clean after a race, each kind of damage named in a
/// sentence, and a projection that merely lags reported as lag.
@Suite struct ReconciliationTests {
    enum Damage: String, CaseIterable, Sendable {
        case deletedIssueRow, deletedArchiveRow, deletedStreamEntry, removedIssuedHashField, changedSeq
    }

    /// A race of 40 users for 30 coupons, projected by a worker; returns the fixture and coupon.
    func projectedRace() async throws -> (Fixture, CouponID) {
        let fixture = try await Fixture()
        let coupon = try await withWorker(fixture) {
            let coupon = try await fixture.race(quantity: 30, users: 40, prefix: "v")
            #expect(try await fixture.caughtUp(issues: 30))
            return coupon
        }
        return (fixture, coupon)
    }

    func verify(_ fixture: Fixture, coupon: CouponID? = nil) async throws -> ReconciliationReport {
        let store = try await SQLiteProjectionStore(path: fixture.databasePath)
        return try await Reconciliation(client: fixture.client, store: store, partitioning: fixture.partitioning)
            .run(coupon: coupon)
    }

    /// The event id and user of one seq, from the table.
    func issuance(_ fixture: Fixture, seq: Int) throws -> (eventId: String, user: String) {
        let row = try #require(
            try Table.rows(fixture.databasePath, "SELECT event_id, user_id FROM coupon_issues WHERE seq = \(seq)").first
        )
        let parts = row.split(separator: "|").map(String.init)
        return (parts[0], parts[1])
    }

    func execute(_ fixture: Fixture, _ sql: String) throws {
        try SQLiteConnection(path: fixture.databasePath).execute(sql)
    }

    @Test func aCleanRaceIsClean() async throws {
        let (fixture, coupon) = try await projectedRace()
        let report = try await verify(fixture)
        #expect(report.clean, "\(report.mismatches)")
        let counts = try #require(report.coupons.first { $0.couponId == coupon.value })
        let places: [Int] = [counts.log, counts.redis, counts.archive, counts.issues]
        #expect(places == [30, 30, 30, 30])
        #expect(report.lagging == 0)
        #expect(try await verify(fixture, coupon: coupon).clean)
    }

    @Test(arguments: Damage.allCases)
    func eachKindOfDamageIsNamedInASentence(_ damage: Damage) async throws {
        let (fixture, coupon) = try await projectedRace()
        let (eventId, user) = try issuance(fixture, seq: 7)
        let p = fixture.partitioning.partition(of: coupon)
        let expected: [String]
        switch damage {
        case .deletedIssueRow:
            try execute(fixture, "DELETE FROM coupon_issues WHERE coupon_id = \(coupon.value) AND seq = 7")
            expected = ["seq 7 (user \(user), event \(eventId)) is in the log and Redis but missing from coupon_issues"]
        case .deletedArchiveRow:
            try execute(fixture, "DELETE FROM coupon_events WHERE event_id = '\(eventId)'")
            expected = [
                "seq 7 (user \(user), event \(eventId)) is in the log and Redis but missing from the archive (coupon_events)"
            ]
        case .deletedStreamEntry:
            _ = try await fixture.client.command("XDEL", Partitioning.eventsKey(p), eventId)
            expected = [
                "the log lost event \(eventId) (seq 7, user \(user)) that the archive (coupon_events) holds",
                "the log lost event \(eventId) (seq 7, user \(user)) that coupon_issues holds",
                "user \(user) (seq 7, event \(eventId)",
                "seq 7 is missing from the log",
            ]
        case .removedIssuedHashField:
            _ = try await fixture.client.command("HDEL", Partitioning.issuedKey(p, coupon), user)
            expected = ["seq 7 (user \(user), event \(eventId)) is in the log but missing from Redis's issued hash"]
        case .changedSeq:
            try execute(fixture, "UPDATE coupon_issues SET seq = 999 WHERE coupon_id = \(coupon.value) AND seq = 7")
            expected = ["event \(eventId) is seq 999, event \(eventId)"]
        }
        let report = try await verify(fixture)
        #expect(!report.clean)
        for sentence in expected {
            #expect(
                report.mismatches.contains { $0.hasPrefix("coupon \(coupon): ") && $0.contains(sentence) },
                "\(damage): no sentence with '\(sentence)' in \(report.mismatches)")
        }
        #expect(report.mismatches.count <= expected.count, "\(report.mismatches.joined(separator: "\n"))")
    }

    /// Events the worker has not projected yet are lag, not mismatches; issuances that arrive
    /// after the snapshot boundary are not looked at.
    @Test func aLaggingProjectionIsLagNotAMismatch() async throws {
        let (fixture, coupon) = try await projectedRace()
        let later = try await fixture.race(quantity: 10, users: 10, prefix: "late")  // no worker running
        let key = Partitioning.eventsKey(fixture.partitioning.partition(of: later))
        // Some delivered (pending on a consumer), the rest never delivered.
        _ = try await fixture.client.command(
            "XREADGROUP", "GROUP", "projector", "slow", "COUNT", "4", "STREAMS", key, ">")
        let report = try await verify(fixture)
        #expect(report.clean, "\(report.mismatches)")
        let counts = try #require(report.coupons.first { $0.couponId == later.value })
        #expect(counts.lagging == 10)
        #expect(counts.archive == 0 && counts.log == 10 && counts.redis == 10)
        #expect(report.text.contains("projection behind by 10 events"))
        #expect(report.coupons.first { $0.couponId == coupon.value }?.lagging == 0)
    }
}
