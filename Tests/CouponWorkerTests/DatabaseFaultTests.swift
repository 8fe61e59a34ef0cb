import CouponCore
import CouponStore
import CouponWorker
import Fixtures
import Foundation
import Redis
import TestSupport
import Testing

/// A database that cannot write for a while (a full disk, a lock held by another process) is a
/// transient fault: the worker keeps its batch, backs off, catches up by itself once the fault
/// clears, and sends nothing to the dead stream. Worker processes run with `--max-deliveries 1`,
/// so a fault counted as a delivery would dead-letter at once.
@Suite struct DatabaseFaultTests {
    /// A small tmpfs: the fault is a real ENOSPC from the kernel, not a simulation.
    final class Tmpfs {
        let path: String

        /// Whether this machine lets the tests mount one (root, or a container that allows it).
        static let allowed: Bool = {
            guard let probe = try? Tmpfs(megabytes: 1) else { return false }
            _ = probe
            return true
        }()

        init(megabytes: Int) throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("coupon-tmpfs-\(UUID())").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            guard Tmpfs.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path]) == 0 else {
                try? FileManager.default.removeItem(atPath: path)
                throw TestSupportError("cannot mount a tmpfs on \(path)")
            }
        }

        deinit {
            _ = Tmpfs.run("/usr/bin/umount", ["-l", path])
            try? FileManager.default.removeItem(atPath: path)
        }

        /// Bytes still free on the filesystem.
        var free: Int {
            let attributes = try? FileManager.default.attributesOfFileSystem(forPath: path)
            return (attributes?[.systemFreeSize] as? NSNumber)?.intValue ?? 0
        }

        static func run(_ tool: String, _ arguments: [String]) -> Int32 {
            let process = TestProcess()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return -1 }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// Issues `users` coupons in batches of concurrent admissions over several coupons.
    func issue(_ fixture: Fixture, users: Int, prefix: String) async throws -> Int {
        var issued = 0
        for round in 0..<(users / 1000) {
            try await fixture.race(quantity: 1000, users: 1000, prefix: "\(prefix)\(round)")
            issued += 1000
        }
        return issued
    }

    @Test(.enabled(if: Tmpfs.allowed, "mounting a tmpfs is not allowed here (needs root)"))
    func aFullDiskHoldsTheBatchAndTheWorkerCatchesUpWhenSpaceReturns() async throws {
        let fixture = try await Fixture()
        let disk = try Tmpfs(megabytes: 24)
        let database = disk.path + "/coupons.sqlite"
        let worker = try CouponProcess(
            fixture.workerArguments("disk", database: database, extra: ["--max-deliveries", "1"]))
        let migrated = await eventually {
            Table.count(database, "schema_migrations") == Migration.all(for: .sqlite).count
        }
        #expect(migrated, "\(worker.log)")

        // Leave the database ~256 KB, far less than the events below need.
        let filler = disk.path + "/filler"
        let fill = Data(count: max(0, disk.free - 256 * 1024))
        try #require(FileManager.default.createFile(atPath: filler, contents: fill))
        let issued = try await issue(fixture, users: 10_000, prefix: "full")
        let sawFull = await eventually(timeout: .seconds(30)) { worker.log.contains("SQLITE_FULL") }
        #expect(sawFull, "the worker never hit a full disk: \(worker.log.suffix(2000))")
        try await Task.sleep(for: .seconds(3))  // the worker keeps retrying against the full disk
        #expect(try await fixture.deadLetters() == 0, "a full disk dead-lettered healthy events")
        #expect(Table.count(database, "coupon_issues") < issued)

        try FileManager.default.removeItem(atPath: filler)
        let caughtUp = try await eventually(timeout: .seconds(30)) {
            try await fixture.pending() == 0 && Table.count(database, "coupon_issues") == issued
        }
        #expect(caughtUp, "\(worker.log.suffix(3000))")
        #expect(try await fixture.deadLetters() == 0)
        #expect(try fixture.issuedInTable(database) == (try await fixture.issuedInLog()))
        #expect(worker.log.contains("database writes again"))
        // Logged once per state change, not once per attempt or per event.
        #expect(worker.log.components(separatedBy: "database cannot write").count - 1 <= 2 * 2)
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit().status == 0)
    }

    @Test func aWriteLockHeldThirtySecondsByAnotherProcessDelaysButLosesNothing() async throws {
        let fixture = try await Fixture()
        let worker = try CouponProcess(fixture.workerArguments("locked", extra: ["--max-deliveries", "1"]))
        let migrated = await eventually {
            Table.count(fixture.databasePath, "schema_migrations") == Migration.all(for: .sqlite).count
        }
        #expect(migrated, "\(worker.log)")

        // Another process, the sqlite3 shell, takes the write lock and keeps it for 30 s.
        let shell = TestProcess()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [fixture.databasePath]
        let input = Pipe()
        shell.standardInput = input
        shell.standardOutput = FileHandle.nullDevice
        try shell.run()
        input.fileHandleForWriting.write(Data("PRAGMA busy_timeout = 5000;\nBEGIN IMMEDIATE;\n".utf8))
        let locked = await eventually {
            // A connection that may not wait answers BUSY while the shell holds the lock.
            guard let probe = try? SQLiteConnection(path: fixture.databasePath, busyTimeoutMilliseconds: 0) else {
                return false
            }
            return (try? probe.transaction {}) == nil
        }
        #expect(locked)
        let heldSince = ContinuousClock.now

        let issued = try await issue(fixture, users: 2_000, prefix: "lock")
        let sawBusy = await eventually(timeout: .seconds(25)) { worker.log.contains("SQLITE_BUSY") }
        #expect(sawBusy, "\(worker.log.suffix(2000))")
        try await Task.sleep(until: heldSince + .seconds(30))
        #expect(try await fixture.deadLetters() == 0)
        input.fileHandleForWriting.write(Data("ROLLBACK;\n.quit\n".utf8))
        try input.fileHandleForWriting.close()
        shell.waitUntilExit()

        let caughtUp = try await eventually(timeout: .seconds(30)) {
            try await fixture.pending() == 0 && Table.count(fixture.databasePath, "coupon_issues") == issued
        }
        #expect(caughtUp, "\(worker.log.suffix(3000))")
        #expect(try await fixture.deadLetters() == 0)
        #expect(try fixture.issuedInTable() == (try await fixture.issuedInLog()))
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit().status == 0)
    }

    /// A poison entry among healthy ones in the same batch: only it is dead-lettered, after N
    /// deliveries; every healthy event of that batch is projected.
    @Test func onlyThePoisonEntryOfABatchIsDeadLettered() async throws {
        let fixture = try await Fixture()
        let coupon = try await fixture.race(quantity: 100, users: 40, prefix: "healthy")
        let p = fixture.partitioning.partition(of: coupon)
        // A conflict, not a decoding error: a second CouponIssued claiming seq 1, which an
        // earlier healthy event holds. It decodes fine and fails only inside the transaction.
        let poisonId = try await fixture.appendRawIssued(coupon: coupon, user: "impostor", seq: "1")
        for user in 0..<40 {
            _ = try await fixture.ledger.admit(coupon: coupon, user: UserID("later-\(user)"), requestId: nil)
        }
        let quickRetries: (inout WorkerConfiguration) -> Void = {
            $0.retryDelay = .milliseconds(100)
            $0.maxDeliveries = 2
        }
        try await withWorker(fixture, configure: quickRetries) {
            let settled = try await eventually {
                let dead = try await fixture.deadLetters()
                let pending = try await fixture.pending()
                return dead == 1 && pending == 0 && Table.count(fixture.databasePath, "coupon_issues") == 80
            }
            #expect(settled)
        }
        let dead = try RedisStreamEntry.parseList(
            try await fixture.client.command("XRANGE", Partitioning.deadKey(p), "-", "+"))
        let fields = try #require(dead.first).dictionary
        #expect(fields["sourceId"] == poisonId)
        #expect(fields["reason"]?.contains("projection conflict") == true, "\(fields)")
        #expect(try fixture.issuedInTable() == (try await fixture.issuedInLog()).filter { !$0.contains("impostor") })
    }

    /// A dead consumer's entries are taken over; the consumer, then holding nothing, is removed
    /// from the group instead of piling up in `XINFO CONSUMERS` after every restart.
    @Test func deadConsumersAreRemovedOnceTheirEntriesAreTakenOver() async throws {
        let fixture = try await Fixture()
        let coupon = try await fixture.race(quantity: 50, users: 20, prefix: "orphan")
        let p = fixture.partitioning.partition(of: coupon)
        let delivered = try await fixture.deliver(partition: p, to: "host-4242")
        #expect(delivered.count == 21)
        func consumers() async throws -> [String] {
            let reply = try await fixture.client.command(
                "XINFO", "CONSUMERS", Partitioning.eventsKey(p), Partitioning.projectionGroup)
            return (reply.array ?? []).compactMap { $0.array?[1].string }
        }
        #expect(try await consumers() == ["host-4242"])
        let quickTakeover: (inout WorkerConfiguration) -> Void = {
            $0.claimTimeout = .milliseconds(300)
            $0.retryDelay = .milliseconds(100)
        }
        try await withWorker(fixture, consumer: "survivor", configure: quickTakeover) {
            let settled = try await eventually {
                let pending = try await fixture.pending()
                let names = try await consumers()
                return pending == 0 && !names.contains("host-4242")
            }
            let left = try await consumers()
            #expect(settled, "\(left)")
        }
        #expect(try fixture.issuedInTable() == (try await fixture.issuedInLog()))
    }

    /// MariaDB stopped for 20 s in the middle of projection (a clean shutdown, as a restart for an
    /// upgrade does): 201s keep coming from Redis, the worker backs off quietly, and once MariaDB
    /// is back it catches up by itself — nothing dead-lettered, nothing lost or doubled.
    @Test func mariaDBStoppedTwentySecondsMidProjectionLosesNothing() async throws {
        let mariadb = try await MariaDBServer()
        let fixture = try await Fixture(engine: .mariadb, database: mariadb.url)
        let worker = try CouponProcess(fixture.workerArguments("steady", extra: ["--max-deliveries", "1"]))
        let coupon = try await fixture.ledger.define(
            try CouponDraft(name: "outage", quantity: 1_000_000, startsAt: nil, endsAt: nil))
        // One user after another, all along: each 201 is counted.
        let issuer = Task { () -> (issued: Int, failed: Int) in
            var issued = 0
            var failed = 0
            var user = 0
            while !Task.isCancelled {
                user += 1
                switch try? await fixture.ledger.admit(coupon: coupon.id, user: UserID("u\(user)"), requestId: nil) {
                case .issued: issued += 1
                default: failed += 1
                }
                try? await Task.sleep(for: .milliseconds(2))
            }
            return (issued, failed)
        }
        let projecting = await eventually { Table.count(fixture.database, "coupon_issues") > 100 }
        #expect(projecting, "\(worker.log)")

        await mariadb.stop()
        let before = try await fixture.logLength()
        try await Task.sleep(for: .seconds(20))
        let during = try await fixture.logLength() - before
        try await mariadb.start()
        try await Task.sleep(for: .seconds(1))
        issuer.cancel()
        let (issued, failed) = await issuer.value
        #expect(failed == 0, "Redis answered every request while MariaDB was away")
        #expect(during > 1_000, "201s kept coming while MariaDB was stopped: \(during)")

        let caughtUp = try await eventually(timeout: .seconds(60)) {
            let pending = try await fixture.pending()
            return pending == 0 && Table.count(fixture.database, "coupon_issues") == issued
        }
        #expect(caughtUp, "\(worker.log)")
        #expect(try await fixture.deadLetters() == 0)
        let inLog = try await fixture.issuedInLog()
        #expect(inLog.count == issued)
        #expect(try fixture.issuedInTable() == inLog)
        #expect(try Table.rows(fixture.database, "SELECT count(*) - count(DISTINCT seq) FROM coupon_issues") == ["0"])
        // Quiet: the outage is reported when it starts and when it ends, not once per retry.
        let lines = worker.log.split(separator: "\n").filter { $0.contains("MariaDB") || $0.contains("database") }
        #expect(lines.count <= 6, "\(worker.log)")

        worker.signal(SIGTERM)
        let exit = try await worker.waitForExit()
        #expect(exit.status == 0 && !exit.signaled, "\(worker.log)")
    }

    /// A worker started before its database (MariaDB down at start, as when containers start in
    /// any order): it waits, says so once, and projects everything once MariaDB is up.
    @Test func aWorkerStartedBeforeMariaDBWaitsForIt() async throws {
        let mariadb = try await MariaDBServer()
        let fixture = try await Fixture(engine: .mariadb, database: mariadb.url)
        await mariadb.stop()
        let worker = try CouponProcess(fixture.workerArguments("early"))
        try await fixture.race(quantity: 100, users: 150, prefix: "early")
        let waiting = await eventually { worker.log.contains("cannot open the database yet") }
        #expect(waiting, "\(worker.log)")
        try await Task.sleep(for: .seconds(2))
        #expect(worker.isRunning, "the worker ended while its database was down: \(worker.log)")
        try await mariadb.start()
        let caughtUp = try await eventually(timeout: .seconds(30)) { try await fixture.caughtUp(issues: 100) }
        #expect(caughtUp, "\(worker.log)")
        #expect(try fixture.issuedInTable() == (try await fixture.issuedInLog()))
        #expect(worker.log.components(separatedBy: "cannot open the database yet").count == 2, "said once")
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit().status == 0)
    }
}
