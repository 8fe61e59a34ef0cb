import CouponCore
import CouponLedger
import CouponStore
import Fixtures
import Foundation
import Redis
import TestSupport
import Testing

/// Redis loses its data; `coupon recover` rebuilds it from the archive, and the service goes on
/// without issuing anything twice.
@Suite struct RecoveryTests {
    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = try CouponProcess(arguments)
        let exit = try await process.waitForExit()
        return (exit.status, process.log)
    }

    @Test(arguments: TestEngine.servers)
    func recoverAfterFlushallIssuesNothingTwice(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        let options = ["--redis", fixture.server.url, "--partitions", "2", "--database", fixture.database]
        // 300 of 500 issued and projected; a second coupon to check ids against.
        let (coupon, originals, usedIds) = try await withWorker(fixture) {
            let coupon = try await fixture.race(quantity: 500, users: 300, prefix: "first")
            let other = try await fixture.race(quantity: 10, users: 3, prefix: "other")
            #expect(try await fixture.caughtUp(issues: 303))
            var originals: [String: Issuance] = [:]
            for n in 0..<300 {
                if case .issued(let issuance) = try await fixture.ledger.issuance(
                    coupon: coupon, user: UserID("first-\(n)"))
                {
                    originals["first-\(n)"] = issuance
                }
            }
            return (coupon, originals, Set([coupon, other]))
        }
        #expect(originals.count == 300)

        _ = try await fixture.client.command("FLUSHALL")
        let lost = try await fixture.ledger.admit(coupon: coupon, user: UserID("first-0"), requestId: nil)
        #expect(lost == .unavailable, "503 while Redis has no data")
        // init refuses: the database holds a projected deployment.
        let initAttempt = try await run(["init"] + options)
        #expect(initAttempt.status != 0)
        #expect(initAttempt.output.contains("coupon recover"), "\(initAttempt.output)")
        #expect(try await fixture.client.command("DBSIZE") == .integer(0), "init wrote despite refusing")

        let dry = try await run(["recover", "--dry-run"] + options)
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.output.contains("303 issuances") && dry.output.contains("nothing written"), "\(dry.output)")
        #expect(try await fixture.client.command("DBSIZE") == .integer(0), "a dry run wrote")

        let recovered = try await run(["recover"] + options)
        #expect(recovered.status == 0, "\(recovered.output)")
        #expect(recovered.output.contains("2 coupons, 303 issuances, 305 events"), "\(recovered.output)")
        let again = try await run(["recover"] + options)
        #expect(again.status != 0)
        #expect(again.output.contains("still holds a deployment"), "\(again.output)")

        // The 300 get 409 with their original issuance.
        for (user, original) in originals {
            let answer = try await fixture.ledger.admit(coupon: coupon, user: UserID(user), requestId: nil)
            #expect(answer == .alreadyIssued(original), "\(user)")
        }
        // Exactly 200 more, seq 301…500.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<400 {
                group.addTask {
                    _ = try await fixture.ledger.admit(coupon: coupon, user: UserID("second-\(n)"), requestId: nil)
                }
            }
            try await group.waitForAll()
        }
        let shown = try #require(try await fixture.ledger.coupon(coupon))
        #expect(shown.issued == 500)
        // New coupons get ids never used before.
        for _ in 0..<6 {
            let fresh = try await fixture.ledger.define(
                try CouponDraft(name: "after", quantity: 1, startsAt: nil, endsAt: nil))
            #expect(!usedIds.contains(fresh.id), "id \(fresh.id) was used before the loss")
        }

        // The workers go on from where the log was recovered; verify is clean.
        let caughtUp = try await withWorker(fixture) { try await fixture.caughtUp(issues: 503) }
        #expect(caughtUp)
        let seqs = try Table.rows(
            fixture.database, "SELECT seq FROM coupon_issues WHERE coupon_id = \(coupon.value) ORDER BY seq")
        #expect(seqs == (1...500).map(String.init))
        let verified = try await run(["audit", "verify"] + options)
        #expect(verified.status == 0, "\(verified.output)")
        // Every recovered entry is its archived copy, field for field: replaying the whole log over
        // the database finds nothing new and no conflict.
        let replayed = try await run(["replay"] + options)
        #expect(replayed.status == 0, "\(replayed.output)")
        #expect(replayed.output.contains("0 new, 0 rows written"), "\(replayed.output)")
    }

    /// A worker refuses to project another deployment's log into a database: after a loss
    /// someone ran `init` on the empty Redis (a new generation) instead of `recover`.
    @Test(arguments: TestEngine.servers)
    func aWorkerRefusesAnotherDeploymentsLog(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        try await withWorker(fixture) {
            try await fixture.race(quantity: 10, users: 5, prefix: "old")
            #expect(try await fixture.caughtUp(issues: 5))
        }
        _ = try await fixture.client.command("FLUSHALL")
        _ = try await RedisDeployment(client: fixture.client).initialise(fixture.partitioning)
        try await fixture.race(quantity: 10, users: 5, prefix: "new")
        let worker = try CouponProcess(fixture.workerArguments("mixer"))
        let exit = try await worker.waitForExit()
        #expect(exit.status != 0)
        #expect(worker.log.contains("belongs to deployment"), "\(worker.log)")
        #expect(Table.count(fixture.database, "coupon_issues") == 5, "the new deployment was projected")
    }
}
