import CouponCore
import CouponLedger
import Foundation
import Redis
import TestSupport
import Testing

/// Sold-out and ended coupons answered in the process: the same answers the script gives, without
/// a round trip, bounded, and dropped when Redis no longer confirms them.
@Suite struct FinalAnswersTests {
    /// A Redis of the test's own, so that its command counts are the test's alone.
    struct Setup {
        let server: RedisServer
        let client: RedisClient
        let ledger: RedisCouponLedger
        let answers: FinalAnswers

        init(maxHolders: Int = 100_000, refreshAfter: Duration = .seconds(1)) async throws {
            server = try await RedisServer()
            client = RedisClient(configuration: server.configuration)
            let partitioning = try Partitioning(count: 2)
            _ = try await RedisDeployment(client: client).initialise(partitioning)
            answers = FinalAnswers(maxHolders: maxHolders, refreshAfter: refreshAfter)
            ledger = RedisCouponLedger(client: client, partitioning: partitioning, finalAnswers: answers)
        }

        /// How many scripts Redis has run so far.
        func scriptCalls() async throws -> Int {
            let info = try await client.command("INFO", "commandstats").string ?? ""
            return info.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("cmdstat_evalsha:") }
                .compactMap { line in line.split(separator: ",").first?.split(separator: "=").last.flatMap { Int($0) } }
                .reduce(0, +)
        }

        /// Commands clients sent (`total_commands_processed`; commands inside scripts not counted).
        func commandsProcessed() async throws -> Int {
            let info = try await client.command("INFO", "stats").string ?? ""
            let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("total_commands_processed:") }
            return line.flatMap { Int($0.split(separator: ":").last ?? "") } ?? -1
        }

        func settle() async throws -> Bool {
            await eventually { answers.size.coupons > 0 }
        }
    }

    @Test func aSoldOutCouponIsAnsweredWithoutRedisAndHoldersGetTheirIssuance() async throws {
        let setup = try await Setup()
        let coupon = try await setup.ledger.define(try CouponDraft(name: "s", quantity: 3, startsAt: nil, endsAt: nil))
        var originals: [String: Issuance] = [:]
        for user in ["a", "b", "c"] {
            guard
                case .issued(let issuance) = try await setup.ledger.admit(
                    coupon: coupon.id, user: UserID(user), requestId: nil)
            else {
                Issue.record("not issued")
                return
            }
            originals[user] = issuance
        }
        #expect(try await setup.ledger.admit(coupon: coupon.id, user: UserID("d"), requestId: nil) == .soldOut)
        #expect(try await setup.settle())
        let before = try await setup.scriptCalls()
        for n in 0..<1_000 {
            #expect(
                try await setup.ledger.admit(coupon: coupon.id, user: UserID("late-\(n)"), requestId: nil) == .soldOut)
        }
        for (user, original) in originals {
            #expect(
                try await setup.ledger.admit(coupon: coupon.id, user: UserID(user), requestId: nil)
                    == .alreadyIssued(original))
        }
        let after = try await setup.scriptCalls()
        #expect(after - before <= 2, "\(after - before) scripts ran for 1,003 final answers")
        #expect(setup.answers.size == (1, 3))
        // The answers are the script's own: without the cache, Redis says the same.
        let plain = RedisCouponLedger(client: setup.client, partitioning: try Partitioning(count: 2))
        #expect(try await plain.admit(coupon: coupon.id, user: UserID("late-7"), requestId: nil) == .soldOut)
        #expect(
            try await plain.admit(coupon: coupon.id, user: UserID("b"), requestId: nil)
                == .alreadyIssued(originals["b"]!))
    }

    @Test func anEndedCouponIsAnsweredWithoutRedisHoldersFirst() async throws {
        let setup = try await Setup()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let coupon = try await setup.ledger.define(
            // A window wide enough that a loaded machine (the whole suite at once) still issues
            // inside it, short enough that the test does not wait long for its end.
            try CouponDraft(name: "e", quantity: 100, startsAt: now - 1000, endsAt: now + 5000))
        guard
            case .issued(let holder) = try await setup.ledger.admit(
                coupon: coupon.id, user: UserID("h"), requestId: nil)
        else {
            Issue.record("not issued")
            return
        }
        // Users pressing until the window closes (each a new user: the early ones are issued).
        var attempt = 0
        let ended = try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            attempt += 1
            return try await setup.ledger.admit(coupon: coupon.id, user: UserID("x\(attempt)"), requestId: nil)
                == .ended(endsAt: coupon.endsAt)
        }
        #expect(ended)
        #expect(try await setup.settle())
        let before = try await setup.scriptCalls()
        for n in 0..<500 {
            #expect(
                try await setup.ledger.admit(coupon: coupon.id, user: UserID("y\(n)"), requestId: nil)
                    == .ended(endsAt: coupon.endsAt))
        }
        #expect(
            try await setup.ledger.admit(coupon: coupon.id, user: UserID("h"), requestId: nil) == .alreadyIssued(holder)
        )
        #expect(try await setup.scriptCalls() - before <= 2)
    }

    /// Redis loses its data: within the refresh time the cached answers stop, and the service says
    /// 503 as it does without the cache.
    @Test func aRedisThatLostItsDataIsNoticedWithinTheRefreshTime() async throws {
        let setup = try await Setup(refreshAfter: .milliseconds(200))
        let coupon = try await setup.ledger.define(try CouponDraft(name: "l", quantity: 1, startsAt: nil, endsAt: nil))
        _ = try await setup.ledger.admit(coupon: coupon.id, user: UserID("a"), requestId: nil)
        #expect(try await setup.ledger.admit(coupon: coupon.id, user: UserID("b"), requestId: nil) == .soldOut)
        #expect(try await setup.settle())
        _ = try await setup.client.command("FLUSHALL")
        let noticed = try await eventually(timeout: .seconds(5), every: .milliseconds(20)) {
            try await setup.ledger.admit(coupon: coupon.id, user: UserID("c"), requestId: nil) == .unavailable
        }
        #expect(noticed)
        #expect(setup.answers.size == (0, 0))
    }

    /// With Redis down, a cached coupon keeps its final answers — also for the requests that are
    /// due to confirm the entry with Redis (once per refresh time), which find it unreachable.
    @Test func whileRedisIsDownEveryRequestOfAFinalCouponGetsItsAnswer() async throws {
        let setup = try await Setup(refreshAfter: .milliseconds(50))
        let coupon = try await setup.ledger.define(try CouponDraft(name: "d", quantity: 1, startsAt: nil, endsAt: nil))
        guard
            case .issued(let original) = try await setup.ledger.admit(
                coupon: coupon.id, user: UserID("a"), requestId: nil)
        else {
            Issue.record("not issued")
            return
        }
        #expect(try await setup.ledger.admit(coupon: coupon.id, user: UserID("b"), requestId: nil) == .soldOut)
        #expect(try await setup.settle())
        setup.server.stop()
        for round in 0..<10 {
            try await Task.sleep(for: .milliseconds(60))  // every round is due to confirm
            #expect(
                try await setup.ledger.admit(coupon: coupon.id, user: UserID("late-\(round)"), requestId: nil)
                    == .soldOut)
            #expect(
                try await setup.ledger.admit(coupon: coupon.id, user: UserID("a"), requestId: nil)
                    == .alreadyIssued(original))
        }
    }

    /// The holders kept are bounded: a coupon whose holders do not fit is not cached (Redis keeps
    /// answering it), and trying to cache it costs no extra Redis call per request.
    @Test func holdersThatDoNotFitAreNotKept() async throws {
        // A coupon that did not fit is tried again after ten times `refreshAfter`: an hour's
        // refresh keeps that retry (one HLEN) out of the count however slowly this test runs.
        let setup = try await Setup(maxHolders: 5, refreshAfter: .seconds(3600))
        let small = try await setup.ledger.define(try CouponDraft(name: "s", quantity: 4, startsAt: nil, endsAt: nil))
        let large = try await setup.ledger.define(try CouponDraft(name: "l", quantity: 6, startsAt: nil, endsAt: nil))
        for n in 0..<6 {
            _ = try await setup.ledger.admit(coupon: small.id, user: UserID("s\(n)"), requestId: nil)
            _ = try await setup.ledger.admit(coupon: large.id, user: UserID("l\(n)"), requestId: nil)
        }
        #expect(try await setup.ledger.admit(coupon: large.id, user: UserID("x"), requestId: nil) == .soldOut)
        #expect(try await setup.settle())
        try await Task.sleep(for: .milliseconds(100))
        #expect(setup.answers.size == (1, 4), "only the small coupon fits")
        let before = try await setup.scriptCalls()
        let commandsBefore = try await setup.commandsProcessed()
        for n in 0..<100 {
            #expect(try await setup.ledger.admit(coupon: large.id, user: UserID("y\(n)"), requestId: nil) == .soldOut)
        }
        let commands = try await setup.commandsProcessed() - commandsBefore
        #expect(try await setup.scriptCalls() - before == 100, "the large coupon is answered by Redis")
        // The same 100 requests without the cache cost Redis exactly as many commands: no HLEN or
        // HGETALL was added per request.
        let plain = RedisCouponLedger(client: setup.client, partitioning: try Partitioning(count: 2))
        _ = try await plain.admit(coupon: large.id, user: UserID("warm-up"), requestId: nil)  // its partition check
        let plainBefore = try await setup.commandsProcessed()
        for n in 0..<100 { _ = try await plain.admit(coupon: large.id, user: UserID("z\(n)"), requestId: nil) }
        let plainCommands = try await setup.commandsProcessed() - plainBefore
        #expect(commands == plainCommands, "\(commands) commands with the cache, \(plainCommands) without")
    }
}
