import ArgumentParser
import CouponCore
import CouponLedger
import CouponStore
import CouponWorker
import Foundation
import Logging
import Redis

/// Benchmark jobs for Benchmarks/projection.sh. Not part of the service.
@main
struct CouponBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coupon-bench", subcommands: [Fill.self, SQLiteBaseline.self, Project.self, Client.self])
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    (ContinuousClock.now - start).inSeconds
}

/// Issues N coupons through the real admission script (so the log holds real events).
struct Fill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fill")
    @Option var redis: String
    @Option var partitions: Int = 4
    @Option var events: Int
    @Option var inFlight: Int = 1024

    func run() async throws {
        let client = RedisClient(configuration: try RedisConfiguration(url: redis))
        defer { client.close() }
        let partitioning = try Partitioning(count: partitions)
        _ = try await RedisDeployment(client: client).initialise(partitioning)
        let ledger = RedisCouponLedger(client: client, partitioning: partitioning)
        let perCoupon = 100_000
        var coupons: [CouponID] = []
        for _ in 0..<(events + perCoupon - 1) / perCoupon {
            coupons.append(
                try await ledger.define(
                    try CouponDraft(name: "bench", quantity: Int64(perCoupon), startsAt: nil, endsAt: nil)
                ).id)
        }
        let start = ContinuousClock.now
        let targets = coupons
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<events {
                if n >= inFlight { try await group.next() }
                group.addTask {
                    let outcome = try await ledger.admit(
                        coupon: targets[n / perCoupon], user: UserID("u\(n)"), requestId: nil)
                    guard case .issued = outcome else { throw ArgumentParser.ValidationError("not issued: \(outcome)") }
                }
            }
            try await group.waitForAll()
        }
        let took = seconds(since: start)
        print(String(format: "fill: %d issuances in %.2f s, %.0f/s", events, took, Double(events) / took))
    }
}

/// SQLite alone, the yardstick: rows of coupon_issues' shape in batches of 1000, one transaction each.
struct SQLiteBaseline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sqlite-baseline")
    @Option var path: String
    @Option var rows: Int = 1_000_000
    @Option var batch: Int = 1000

    func run() throws {
        let connection = try SQLiteConnection(path: path)
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS baseline (coupon_id BIGINT NOT NULL, user_id VARCHAR(64) NOT NULL,
              seq BIGINT NOT NULL, event_id VARCHAR(40) NOT NULL, issued_at BIGINT NOT NULL,
              PRIMARY KEY (coupon_id, user_id))
            """)
        let start = ContinuousClock.now
        var n = 0
        while n < rows {
            try connection.transaction {
                for _ in 0..<min(batch, rows - n) {
                    try connection.run(
                        "INSERT INTO baseline VALUES (?1, ?2, ?3, ?4, ?5)",
                        [.integer(1), .text("u\(n)"), .integer(Int64(n)), .text("1795680850942-\(n)"), .integer(1)])
                    n += 1
                }
            }
        }
        let took = seconds(since: start)
        print(String(format: "sqlite baseline: %d rows in %.2f s, %.0f rows/s", rows, took, Double(rows) / took))
    }
}

/// One projection worker, from the start of the log, timed until it has projected all of it.
struct Project: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "project")
    @Option var redis: String
    @Option var partitions: Int = 4
    @Option var database: String
    @Option var batchSize: Int = 1000

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let configuration = try RedisConfiguration(url: redis)
        let client = RedisClient(configuration: configuration)
        defer { client.close() }
        let partitioning = try Partitioning(count: partitions)
        var total = 0
        for p in partitioning.all {
            total += Int(try await client.send(.xlen(Partitioning.eventsKey(p))).int ?? 0)
            _ = try? await client.send(
                RedisCommand("XGROUP", "DESTROY", Partitioning.eventsKey(p), WorkerConfiguration.group))
        }
        let store = try await SQLiteProjectionStore(path: database)
        _ = try await store.migrate()
        let worker = ProjectionWorker(
            configuration: WorkerConfiguration(consumer: "bench", partitioning: partitioning, batchSize: batchSize),
            redis: configuration, store: store, logger: logger)
        let start = ContinuousClock.now
        let task = Task { try await worker.run() }
        while true {
            let projected = try await store.database.perform { connection -> Int in
                var count = 0
                try connection.query("SELECT count(*) FROM coupon_events") { count = Int($0.int64(0)) }
                return count
            }
            if projected >= total { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let took = seconds(since: start)
        task.cancel()
        _ = try? await task.value
        print(
            String(
                format: "projection: %d events in %.2f s, %.0f events/s (one worker, batches of %d)", total, took,
                Double(total) / took, batchSize))
    }
}

/// The Redis client alone: `callers` concurrent tasks each looping EVALSHA of a trivial script
/// for `seconds`; prints calls/s, the mean pipeline depth and this process's CPU per call.
struct Client: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client")
    @Option var redis: String
    @Option var callers: Int = 64
    @Option var duration: Int = 5
    @Option var pool: Int = 4

    func run() async throws {
        var configuration = try RedisConfiguration(url: redis)
        configuration.poolSize = pool
        let client = RedisClient(configuration: configuration)
        defer { client.close() }
        let script = RedisScript("#!lua flags=no-writes\nreturn ARGV[1]")
        _ = try await script.run(on: client, keys: [], arguments: ["warm"])
        let deadline = ContinuousClock.now + .seconds(duration)
        let cpuBefore = processCPUSeconds()
        let (tripsBefore, commandsBefore) = client.statistics
        let start = ContinuousClock.now
        let calls = try await withThrowingTaskGroup(of: Int.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline {
                        _ = try await script.run(on: client, keys: [], arguments: ["c\(caller)"])
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let took = seconds(since: start)
        let cpu = processCPUSeconds() - cpuBefore
        let (trips, commands) = client.statistics
        print(
            String(
                format:
                    "client: %d callers, pool %d: %.0f calls/s, pipeline depth %.1f, %.2f us of client CPU per call",
                callers, pool, Double(calls) / took, Double(commands - commandsBefore) / Double(trips - tripsBefore),
                cpu / Double(calls) * 1e6))
    }

    private func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
