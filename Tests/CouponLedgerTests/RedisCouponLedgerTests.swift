import CouponCore
import CouponLedger
import Foundation
import Redis
import TestSupport
import Testing

@Suite struct RedisCouponLedgerTests {
    static let hour: Int64 = 3_600_000
    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    func ledger(_ configuration: RedisConfiguration, partitions: Int = 4) async throws -> RedisCouponLedger {
        let client = RedisClient(configuration: configuration)
        let partitioning = try Partitioning(count: partitions)
        _ = try await RedisDeployment(client: client).initialise(partitioning)
        return RedisCouponLedger(client: client, partitioning: partitioning)
    }

    @Test func initIsIdempotentAndRefusesAnotherPartitionCount() async throws {
        let server = try await RedisServer()
        let client = RedisClient(configuration: server.configuration)
        defer { client.close() }
        let deployment = RedisDeployment(client: client)
        let first = try await deployment.initialise(try Partitioning(count: 3))
        #expect(first.created)
        let digest = try await client.digest()
        let second = try await deployment.initialise(try Partitioning(count: 3))
        #expect(!second.created)
        #expect(second.generation == first.generation)
        #expect(try await client.digest() == digest)
        await #expect(throws: LedgerError.self) { try await deployment.initialise(try Partitioning(count: 2)) }
        await #expect(throws: LedgerError.self) { try await deployment.verify(try Partitioning(count: 2)) }
        #expect(try await client.digest() == digest)
        for p in 0..<3 {
            #expect(try await client.command("GET", "cpn:{\(p)}:gen").string == first.generation)
        }
    }

    @Test func concurrentInitsAgreeOnOneGeneration() async throws {
        let server = try await RedisServer()
        let client = RedisClient(configuration: server.configuration)
        defer { client.close() }
        let partitioning = try Partitioning(count: 8)
        let states = try await withThrowingTaskGroup(of: RedisDeployment.State.self) { group in
            for _ in 0..<10 { group.addTask { try await RedisDeployment(client: client).initialise(partitioning) } }
            return try await group.reduce(into: [RedisDeployment.State]()) { $0.append($1) }
        }
        #expect(Set(states.map(\.generation)).count == 1)
        for p in 0..<8 {
            #expect(try await client.command("GET", "cpn:{\(p)}:gen").string == states[0].generation)
        }
    }

    @Test func definesAndIssuesFirstComeFirstServedWithTheOriginalAnswerOnRetry() async throws {
        let ledger = try await ledger(try await TestRedis.sharedConfiguration())
        defer { ledger.client.close() }
        let coupon = try await ledger.define(try CouponDraft(name: "Two", quantity: 2, startsAt: nil, endsAt: nil))
        #expect(coupon.endsAt - coupon.startsAt == CouponDraft.defaultWindow)

        let alice = try UserID("alice")
        guard case .issued(let first) = try await ledger.admit(coupon: coupon.id, user: alice, requestId: "r-1")
        else {
            Issue.record("alice should be issued")
            return
        }
        #expect(first.seq == 1)
        #expect(try await ledger.admit(coupon: coupon.id, user: alice, requestId: nil) == .alreadyIssued(first))
        guard case .issued(let second) = try await ledger.admit(coupon: coupon.id, user: UserID("bob"), requestId: nil)
        else {
            Issue.record("bob should be issued")
            return
        }
        #expect(second.seq == 2)
        #expect(try await ledger.admit(coupon: coupon.id, user: UserID("carol"), requestId: nil) == .soldOut)
        #expect(try await ledger.coupon(coupon.id)?.issued == 2)
        #expect(try await ledger.issuance(coupon: coupon.id, user: alice) == .issued(first))
        #expect(try await ledger.issuance(coupon: coupon.id, user: UserID("carol")) == .notIssued)

        // The event carries the request id when one was given.
        let p = ledger.partitioning.partition(of: coupon.id)
        let entries = try await ledger.client.command("XRANGE", Partitioning.eventsKey(p), first.eventId, first.eventId)
        let fields = entries.array?.first?.array?[1].array?.compactMap(\.string) ?? []
        #expect(
            fields == [
                "type", "CouponIssued", "v", "1", "coupon", coupon.id.description, "user", "alice",
                "seq", "1", "at", String(first.issuedAt), "req", "r-1",
            ])
    }

    @Test func outsideTheWindowNothingIsWritten() async throws {
        let server = try await RedisServer()
        let ledger = try await ledger(server.configuration)
        defer { ledger.client.close() }
        let now = Self.now
        let future = try await ledger.define(
            try CouponDraft(name: "Later", quantity: 5, startsAt: now + Self.hour, endsAt: now + 2 * Self.hour))
        let past = try await ledger.define(
            try CouponDraft(name: "Over", quantity: 5, startsAt: now - 2 * Self.hour, endsAt: now - Self.hour))
        let digest = try await ledger.client.digest()
        #expect(
            try await ledger.admit(coupon: future.id, user: UserID("u"), requestId: nil)
                == .notStarted(startsAt: now + Self.hour))
        #expect(
            try await ledger.admit(coupon: past.id, user: UserID("u"), requestId: nil)
                == .ended(endsAt: now - Self.hour))
        #expect(try await ledger.admit(coupon: CouponID(999_999), user: UserID("u"), requestId: nil) == .notFound)
        #expect(try await ledger.client.digest() == digest)
    }

    /// One script run deciding many requests of several coupons, as the client combines them: each
    /// request gets what it would get alone, in the order given. The script reads a coupon's
    /// definition and issued count once per run, so this pins that the count it carries on is the
    /// count Redis holds (a seq repeated or skipped, or a quantity exceeded, would show here).
    @Test func manyRequestsInOneScriptRunAreEachDecidedAsIfAlone() async throws {
        let server = try await RedisServer()
        let ledger = try await ledger(server.configuration, partitions: 1)
        defer { ledger.client.close() }
        let now = Self.now
        let a = try await ledger.define(try CouponDraft(name: "A", quantity: 3, startsAt: nil, endsAt: nil))
        let b = try await ledger.define(try CouponDraft(name: "B", quantity: 2, startsAt: nil, endsAt: nil))
        let later = try await ledger.define(
            try CouponDraft(name: "Later", quantity: 5, startsAt: now + Self.hour, endsAt: now + 2 * Self.hour))
        guard case .issued(let before) = try await ledger.admit(coupon: a.id, user: UserID("u0"), requestId: nil)
        else {
            Issue.record("u0 should be issued A")
            return
        }
        let missing = try CouponID(999_999)
        let requests: [(CouponID, String)] = [
            (a.id, "u1"), (b.id, "u1"), (later.id, "u1"), (a.id, "u2"), (a.id, "u1"), (missing, "u3"),
            (a.id, "u3"), (b.id, "u2"), (later.id, "u2"), (b.id, "u3"), (a.id, "u0"),
        ]
        let reply = try await ledger.client.send(
            .eval(
                CouponScripts.admit,
                keys: [Partitioning.generationKey(0), Partitioning.eventsKey(0)]
                    + requests.flatMap { [Partitioning.couponKey(0, $0.0), Partitioning.issuedKey(0, $0.0)] },
                arguments: requests.flatMap { [$0.0.description, $0.1, ""] }))
        let answers = (reply.array ?? []).map { $0.array?.compactMap(\.string) ?? [] }
        try #require(answers.count == requests.count)
        let outcomes = answers.map { $0.first ?? "" }
        #expect(
            outcomes == [
                "ISSUED", "ISSUED", "NOT_STARTED", "ISSUED", "ALREADY_ISSUED", "NOT_FOUND", "SOLD_OUT", "ISSUED",
                "NOT_STARTED", "SOLD_OUT", "ALREADY_ISSUED",
            ])
        let seqs = answers.map { $0.count > 1 ? $0[1].split(separator: " ").first.map(String.init) ?? "" : "" }
        #expect(seqs[0] == "2" && seqs[1] == "1" && seqs[3] == "3" && seqs[7] == "2")
        #expect(answers[4] == answers[0].map { $0 == "ISSUED" ? "ALREADY_ISSUED" : $0 })
        #expect(answers[6] == ["SOLD_OUT", "3"] && answers[9] == ["SOLD_OUT", "2"])
        #expect(answers[2] == ["NOT_STARTED", String(now + Self.hour)])
        #expect(answers[10] == ["ALREADY_ISSUED", "\(before.seq) \(before.eventId) \(before.issuedAt)"])

        // Redis holds exactly those issuances, and the log one event each, in the order decided.
        #expect(try await ledger.coupon(a.id)?.issued == 3)
        #expect(try await ledger.coupon(b.id)?.issued == 2)
        #expect(try await ledger.coupon(later.id)?.issued == 0)
        let events = try await ledger.client.command("XRANGE", Partitioning.eventsKey(0), "-", "+")
        let issued = try RedisStreamEntry.parseList(events).map(\.dictionary).compactMap { fields -> String? in
            guard fields["type"] == CouponEvent.typeIssued else { return nil }
            return "\(fields["coupon"] ?? "") \(fields["user"] ?? "") \(fields["seq"] ?? "")"
        }
        #expect(
            issued == [
                "\(a.id) u0 1", "\(a.id) u1 2", "\(b.id) u1 1", "\(a.id) u2 3", "\(b.id) u2 2",
            ])
    }

    @Test func anEndBeforeTheDefaultStartIsRefusedByTheScriptWithoutWriting() async throws {
        let server = try await RedisServer()
        let ledger = try await ledger(server.configuration)
        defer { ledger.client.close() }
        let digest = try await ledger.client.digest()
        await #expect(throws: LedgerError.self) {
            try await ledger.define(
                try CouponDraft(name: "x", quantity: 1, startsAt: nil, endsAt: Self.now - Self.hour))
        }
        #expect(try await ledger.client.digest() == digest)
    }

    @Test func aRedisThatLostItsDataNeverIssues() async throws {
        let server = try await RedisServer()
        let ledger = try await ledger(server.configuration, partitions: 2)
        defer { ledger.client.close() }
        let coupon = try await ledger.define(try CouponDraft(name: "x", quantity: 10, startsAt: nil, endsAt: nil))
        guard case .issued = try await ledger.admit(coupon: coupon.id, user: UserID("a"), requestId: nil) else {
            Issue.record("expected an issuance before the wipe")
            return
        }
        server.stop()
        try await server.start(wipe: true)
        var outcome: AdmissionOutcome?
        for _ in 0..<50 where outcome == nil {
            outcome = try? await ledger.admit(coupon: coupon.id, user: UserID("b"), requestId: nil)
            if outcome == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(outcome == .unavailable)
        #expect(try await ledger.client.command("DBSIZE") == .integer(0))
        await #expect(throws: LedgerError.self) {
            try await ledger.define(try CouponDraft(name: "y", quantity: 1, startsAt: nil, endsAt: nil))
        }
        #expect(try await ledger.client.command("DBSIZE") == .integer(0))
        #expect(await ledger.readiness().ready == false)
    }

    @Test func scriptFlushWhileRequestsAreInFlightFailsNone() async throws {
        let server = try await RedisServer()  // SCRIPT FLUSH must not reach other tests' scripts
        let ledger = try await ledger(server.configuration)
        defer { ledger.client.close() }
        let coupon = try await ledger.define(
            try CouponDraft(name: "flush", quantity: 100_000, startsAt: nil, endsAt: nil))
        let users = 4_000
        let issued = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for _ in 0..<20 {
                    _ = try await ledger.client.command("SCRIPT", "FLUSH")
                    try await Task.sleep(for: .milliseconds(2))
                }
                return false
            }
            for user in 0..<users {
                group.addTask {
                    if case .issued = try await ledger.admit(
                        coupon: coupon.id, user: UserID("f\(user)"), requestId: nil)
                    {
                        return true
                    }
                    return false
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(issued == users)
        #expect(try await ledger.coupon(coupon.id)?.issued == Int64(users))
    }
}
