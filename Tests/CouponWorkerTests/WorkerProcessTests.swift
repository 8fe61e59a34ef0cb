import CouponCore
import CouponStore
import CouponWorker
import Fixtures
import Foundation
import Redis
import TestSupport
import Testing

/// Workers as real processes: several at once, killed with SIGKILL at the worst moments.
@Suite struct WorkerProcessTests {
    /// The 5,000-user race for 500 coupons with four worker processes projecting it (scaled out:
    /// one database, any number of workers).
    @Test(arguments: TestEngine.servers)
    func fourWorkersProjectTheRaceExactly(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        let workers = try (1...4).map { try CouponProcess(fixture.workerArguments("w\($0)")) }
        let coupon = try await fixture.race(quantity: 500, users: 5_000)

        let caughtUp = try await fixture.caughtUp(issues: 500)
        #expect(caughtUp, "\(workers.map(\.log))")
        #expect(try await fixture.deadLetters() == 0)
        let log = try await fixture.issuedInLog()
        #expect(log.count == 500)
        #expect(try fixture.issuedInTable() == log)
        #expect(
            try Table.rows(
                fixture.database, "SELECT seq FROM coupon_issues WHERE coupon_id = \(coupon.value) ORDER BY seq")
                == (1...500).map(String.init))
        #expect(Table.count(fixture.database, "coupon_events") == 501)

        // The engine's own client, as a user would check it, agrees.
        let answer = try userQuery(
            fixture, "SELECT count(*), count(DISTINCT user_id), min(seq), max(seq) FROM coupon_issues")
        #expect(answer.replacingOccurrences(of: "\t", with: "|") == "500|500|1|500")

        // SIGTERM: each finishes its batch and exits 0.
        for worker in workers { worker.signal(SIGTERM) }
        for worker in workers {
            let exit = try await worker.waitForExit()
            #expect(exit.status == 0 && !exit.signaled, "\(worker.log)")
        }
    }

    /// kill -9 inside the batch transaction: nothing of that batch is committed; the same worker,
    /// restarted, drains its own pending entries first and ends exactly equal to the log.
    @Test(arguments: TestEngine.servers)
    func killedBeforeCommitLosesNothingAndDuplicatesNothing(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        try await fixture.race(quantity: 300, users: 400)
        let doomed = try CouponProcess(
            fixture.workerArguments("crashy", extra: ["--batch-size", "50"]),
            environment: ["COUPON_FAULT": "before-commit", "COUPON_FAULT_SKIP": "2"])
        let died = try await doomed.waitForExit()
        #expect(died.signaled, "the worker should have been killed: \(doomed.log)")
        #expect(try await fixture.pending() > 0)
        let committedBeforeCrash = Table.count(fixture.database, "coupon_events")
        let logLength = try await fixture.logLength()
        #expect(committedBeforeCrash < Int(logLength))

        let restarted = try CouponProcess(fixture.workerArguments("crashy"))
        let caughtUp = try await fixture.caughtUp(issues: 300)
        #expect(caughtUp, "\(restarted.log)")
        let inLog = try await fixture.issuedInLog()
        #expect(try fixture.issuedInTable() == inLog)
        #expect(Table.count(fixture.database, "coupon_events") == Int(logLength))
        restarted.signal(SIGTERM)
        #expect(try await restarted.waitForExit().status == 0)
    }

    /// kill -9 between COMMIT and XACK: the batch is in the database but still pending. Another
    /// worker takes it over after the claim timeout, re-applies it (skipped: already projected)
    /// and acknowledges it.
    @Test(arguments: TestEngine.servers)
    func killedBetweenCommitAndAckIsTakenOverWithoutDuplicates(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        try await fixture.race(quantity: 300, users: 400)
        let doomed = try CouponProcess(
            fixture.workerArguments("first", extra: ["--batch-size", "50"]),
            environment: ["COUPON_FAULT": "after-commit", "COUPON_FAULT_SKIP": "1"])
        let died = try await doomed.waitForExit()
        #expect(died.signaled, "the worker should have been killed: \(doomed.log)")
        #expect(try await fixture.pending() > 0)
        #expect(Table.count(fixture.database, "coupon_events") > 0)

        let survivor = try CouponProcess(fixture.workerArguments("second", extra: ["--claim-timeout", "1"]))
        let caughtUp = try await fixture.caughtUp(issues: 300)
        #expect(caughtUp, "\(survivor.log)")
        let inLog = try await fixture.issuedInLog()
        #expect(try fixture.issuedInTable() == inLog)
        let logLength = try await fixture.logLength()
        #expect(Table.count(fixture.database, "coupon_events") == Int(logLength))
        survivor.signal(SIGTERM)
        #expect(try await survivor.waitForExit().status == 0)
    }

    /// Entries pending on a dead consumer that were deleted from the log meanwhile: the worker that
    /// takes over reports them as an ALARM, and nothing stays pending.
    @Test(arguments: TestEngine.servers)
    func deletedPendingEntriesRaiseAnAlarm(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        let coupon = try await fixture.race(quantity: 20, users: 10, prefix: "gone")
        let p = fixture.partitioning.partition(of: coupon)
        let key = Partitioning.eventsKey(p)
        let delivered = try await fixture.deliver(partition: p, to: "dead")
        let victim = try #require(delivered.last).id
        #expect(try await fixture.client.command("XDEL", key, victim) == .integer(1))

        let worker = try CouponProcess(fixture.workerArguments("taker", extra: ["--claim-timeout", "1"]))
        let settled = try await eventually {
            let pending = try await fixture.pending()
            return pending == 0 && worker.log.contains("ALARM: pending entries were deleted")
        }
        #expect(settled, "\(worker.log)")
        #expect(worker.log.contains(victim))
        let inLog = try await fixture.issuedInLog()
        #expect(try fixture.issuedInTable() == inLog)
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit().status == 0)
    }

    /// SIGTERM while projecting: the batch in hand is committed and acknowledged, nothing is left
    /// pending, the exit is 0, and a second worker completes the table exactly.
    @Test(arguments: TestEngine.servers)
    func sigtermMidProjectionFinishesTheBatchAndLeavesNothingPending(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        for round in 0..<4 { try await fixture.race(quantity: 5_000, users: 5_000, prefix: "bulk\(round)") }
        let first = try CouponProcess(fixture.workerArguments("terminated", extra: ["--batch-size", "50"]))
        let started = await eventually { Table.count(fixture.database, "coupon_issues") > 0 }
        #expect(started)
        first.signal(SIGTERM)
        let exit = try await first.waitForExit()
        #expect(exit.status == 0 && !exit.signaled, "\(first.log)")
        #expect(try await fixture.pending() == 0, "a terminated worker left entries pending")
        let projected = Table.count(fixture.database, "coupon_issues")
        #expect(projected < 20_000, "the worker finished everything before SIGTERM: the test proves nothing")

        let second = try CouponProcess(fixture.workerArguments("finisher"))
        let caughtUp = try await fixture.caughtUp(issues: 20_000)
        #expect(caughtUp)
        let inLog = try await fixture.issuedInLog()
        #expect(try fixture.issuedInTable() == inLog)
        second.signal(SIGTERM)
        #expect(try await second.waitForExit().status == 0)
    }

    /// Runs `sql` with the engine's command-line client (`sqlite3` or `mariadb`); its output.
    func userQuery(_ fixture: Fixture, _ sql: String) throws -> String {
        let client = TestProcess()
        if fixture.engine == .sqlite {
            client.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            client.arguments = [fixture.databasePath, sql]
        } else {
            let server = try MariaDBConfiguration(url: fixture.database)
            client.executableURL = URL(fileURLWithPath: "/usr/bin/mariadb")
            client.arguments =
                ["--no-defaults", "--batch", "--skip-column-names", "-u", server.user]
                + (server.socket.map { ["--socket=\($0)"] } ?? ["-h", server.host, "-P", String(server.port)])
                + (server.password.map { ["-p\($0)"] } ?? []) + [server.database, "-e", sql]
        }
        let pipe = Pipe()
        client.standardOutput = pipe
        try client.run()
        client.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
