import CouponCore
import CouponStore
import CouponWorker
import Fixtures
import Foundation
import Redis
import TestSupport
import Testing

@Suite struct ProjectionTests {
    /// A malformed entry written straight into the log ends in `cpn:{p}:dead` after N deliveries;
    /// every other event is projected and nothing stays pending.
    @Test(arguments: TestEngine.servers)
    func aPoisonEntryEndsInTheDeadLetterStream(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        let coupon = try await fixture.race(quantity: 100, users: 50, prefix: "before")
        let p = fixture.partitioning.partition(of: coupon)
        let poisonId = try await fixture.appendRawIssued(coupon: coupon, user: "mallory", seq: "not-a-number")
        let quickRetries: (inout WorkerConfiguration) -> Void = {
            $0.retryDelay = .milliseconds(100)
            $0.maxDeliveries = 3
        }
        try await withWorker(fixture, configure: quickRetries) {
            for user in 0..<20 {
                _ = try await fixture.ledger.admit(coupon: coupon, user: UserID("after-\(user)"), requestId: nil)
            }
            let settled = try await eventually {
                let dead = try await fixture.client.command("XLEN", Partitioning.deadKey(p)).int
                let pending = try await fixture.pending()
                return dead == 1 && pending == 0 && Table.count(fixture.database, "coupon_issues") == 70
            }
            #expect(settled)
        }
        let dead = try RedisStreamEntry.parseList(
            try await fixture.client.command("XRANGE", Partitioning.deadKey(p), "-", "+"))
        let fields = try #require(dead.first).dictionary
        #expect(fields["sourceId"] == poisonId)
        #expect(fields["event.seq"] == "not-a-number")
        #expect(fields["event.user"] == "mallory")
        #expect(fields["reason"]?.contains("field 'seq' is not a number") == true, "\(fields)")
        #expect(Int(fields["deliveries"] ?? "") ?? 0 >= 3)
        let inLog = try await fixture.issuedInLog()
        #expect(try fixture.issuedInTable() == inLog.filter { !$0.contains("mallory") })
        let logLength = try await fixture.logLength()
        #expect(Table.count(fixture.database, "coupon_events") == Int(logLength) - 1)
    }

    /// Replay of the whole log into a fresh database (of either engine) equals, table by table and row by row, what the
    /// workers built; replaying again, and a worker re-reading the whole log over the full
    /// database, change nothing at all.
    @Test(arguments: TestEngine.servers)
    func replayRebuildsTheSameTablesAndRepeatingItChangesNothing(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        try await withWorker(fixture) {
            for round in 0..<3 { try await fixture.race(quantity: 200, users: 300, prefix: "r\(round)") }
            let caughtUp = try await fixture.caughtUp(issues: 600)
            #expect(caughtUp)
        }
        let built = try Table.checksums(fixture.database, stable: true)

        // Replayed into a fresh database of each engine: the same rows as the workers built,
        // whichever engine they built them in.
        for target in TestEngine.servers {
            let fresh = try await target.freshDatabase()
            let replayer = Replayer(
                client: fixture.client, store: try await target.store(fresh), partitioning: fixture.partitioning,
                batchSize: 100, logger: fixture.logger)
            let first = try await replayer.run()
            let logLength = try await fixture.logLength()
            #expect(first.eventsRead == Int(logLength))
            #expect(first.applied == first.eventsRead)
            #expect(try Table.checksums(fresh, stable: true) == built, "\(engine) → \(target)")

            let everything = try Table.checksums(fresh)
            let second = try await replayer.run()
            #expect(second.applied == 0)
            #expect(second.rowsWritten == 0)
            #expect(try Table.checksums(fresh) == everything)
        }

        // A worker from scratch: the group is gone, so it reads the whole log again.
        let before = try Table.checksums(fixture.database)
        for p in fixture.partitioning.all {
            _ = try await fixture.client.command(
                "XGROUP", "DESTROY", Partitioning.eventsKey(p), Partitioning.projectionGroup)
        }
        try await withWorker(fixture, consumer: "from-scratch") {
            let reread = try await eventually {
                var acknowledged = true
                for p in fixture.partitioning.all {
                    let groups = try await fixture.client.command("XINFO", "GROUPS", Partitioning.eventsKey(p))
                    let lastDelivered = RedisGroupInfo.parseList(groups).first?.lastDeliveredID
                    let lastEntry = try await fixture.client.command(
                        "XREVRANGE", Partitioning.eventsKey(p), "+", "-", "COUNT", "1")
                    // An empty partition (every coupon may land on the other one) is read when its group says 0-0.
                    let newest = lastEntry.array?.first?.array?.first?.string ?? "0-0"
                    acknowledged = acknowledged && lastDelivered == newest
                }
                let pending = try await fixture.pending()
                return acknowledged && pending == 0
            }
            #expect(reread)
        }
        #expect(try Table.checksums(fixture.database) == before)
    }

    @Test(arguments: TestEngine.servers)
    func lookupsSayWhetherTheProjectionHoldsTheIssuance(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        let coupon = try await fixture.race(quantity: 5, users: 1, prefix: "solo")
        let store = try await engine.store(fixture.database)
        #expect(try await store.issuance(coupon: coupon, user: UserID("solo-0")) == nil)
        try await withWorker(fixture) {
            let projected = try await eventually {
                try await store.issuance(coupon: coupon, user: UserID("solo-0")) != nil
            }
            #expect(projected)
        }
    }

    /// Redis goes away under a running worker and comes back (AOF keeps the data): the worker
    /// backs off, then projects what was issued before and after.
    @Test(arguments: TestEngine.servers)
    func aWorkerOutlivesARedisRestart(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        let coupon = try await fixture.race(quantity: 1_000, users: 100, prefix: "before")
        try await withWorker(fixture) {
            let first = await eventually { Table.count(fixture.database, "coupon_issues") == 100 }
            #expect(first)
            fixture.server.stop()
            try await Task.sleep(for: .milliseconds(500))
            try await fixture.server.start()
            for user in 0..<100 {
                var outcome: AdmissionOutcome?
                for _ in 0..<50 where outcome == nil {
                    outcome = try? await fixture.ledger.admit(
                        coupon: coupon, user: UserID("after-\(user)"), requestId: nil)
                    if outcome == nil { try await Task.sleep(for: .milliseconds(50)) }
                }
            }
            let caughtUp = try await fixture.caughtUp(issues: 200)
            #expect(caughtUp)
        }
        let inLog = try await fixture.issuedInLog()
        #expect(try fixture.issuedInTable() == inLog)
    }

    /// Entries that were committed but never acknowledged, and have since been delivered more
    /// than `maxDeliveries` times (Redis flapping between COMMIT and XACK), are acknowledged, not
    /// reported as dead: the archive already holds them.
    @Test(arguments: TestEngine.servers)
    func projectedButUnacknowledgedEntriesAreAcknowledgedNotDeadLettered(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        let coupon = try await fixture.race(quantity: 100, users: 30, prefix: "ghosted")
        let p = fixture.partitioning.partition(of: coupon)
        let key = Partitioning.eventsKey(p)
        let delivered = try await fixture.deliver(partition: p, to: "ghost")
        for _ in 0..<6 {  // each re-read counts one more delivery
            _ = try await fixture.client.command(
                "XREADGROUP", "GROUP", Partitioning.projectionGroup, "ghost", "STREAMS", key, "0")
        }
        // The ghost committed them, then died before XACK.
        let store = try await engine.store(fixture.database)
        let events = try delivered.map {
            try LoggedEvent(
                partition: p, id: #require(StreamID($0.id)), fields: $0.fields.map { LoggedEvent.Field($0.0, $0.1) })
        }
        _ = try await store.apply(events, partition: p)
        #expect(try await fixture.pending() == Int64(delivered.count))

        let quick: (inout WorkerConfiguration) -> Void = {
            $0.claimTimeout = .milliseconds(100)
            $0.retryDelay = .milliseconds(100)
            $0.maxDeliveries = 3
        }
        try await withWorker(fixture, consumer: "rescuer", configure: quick) {
            let settled = try await eventually { try await fixture.pending() == 0 }
            #expect(settled)
        }
        #expect(try await fixture.client.command("XLEN", Partitioning.deadKey(p)) == .integer(0))
        let inLog = try await fixture.issuedInLog()
        #expect(try fixture.issuedInTable() == inLog)
    }
}
