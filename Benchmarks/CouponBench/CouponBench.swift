import ArgumentParser
import CouponCore
import CouponLedger
import CouponStore
import CouponWorker
import Foundation
import Logging
import Redis

/// Benchmark jobs for Benchmarks/projection.sh and Benchmarks/mariadb.sh. Not part of the service.
@main
struct CouponBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coupon-bench",
        subcommands: [Fill.self, Baseline.self, Project.self, Projected.self, Client.self, Strategy.self])
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

/// The database alone, the yardstick: the rows a projection of N issuances writes (an archive
/// row and an issuance row per event, payloads of the real size) inserted into the projection's
/// own tables of a fresh database, batches of 1000, one transaction each, one `insert` per table
/// (array binding on MariaDB) — with none of the projection's checks, progress or Redis.
struct Baseline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "baseline")
    @Option var database: String
    @Option var events: Int = 1_000_000
    @Option var batch: Int = 1000

    func run() async throws {
        let store = try await ProjectionStores.open(try DatabaseURL(database))
        _ = try await store.migrate()
        let took: Double
        if let sqlite = store as? SQLiteProjectionStore {
            took = try await insert(into: sqlite)
        } else if let mariadb = store as? MariaDBProjectionStore {
            took = try await insert(into: mariadb)
        } else {
            throw ArgumentParser.ValidationError("no baseline for \(database)")
        }
        print(
            String(
                format: "baseline: %d events (%d rows) in %.2f s, %.0f events/s, %.0f rows/s", events, 2 * events, took,
                Double(events) / took, Double(2 * events) / took))
    }

    func insert<C: SQLConnection>(into store: SQLProjectionStore<C>) async throws -> Double {
        let start = ContinuousClock.now
        var n = 0
        while n < events {
            let first = n
            let count = min(batch, events - n)
            try await store.database.perform { connection in
                var archive: [[SQLValue]] = []
                var issues: [[SQLValue]] = []
                for k in first..<first + count {
                    let id = "1795680850942-\(k)"
                    let user = "u\(k)"
                    let payload =
                        #"{"type":"CouponIssued","v":"1","coupon":"1","user":""# + user + #"","seq":""# + String(k + 1)
                        + #"","at":"1795680850942"}"#
                    archive.append([
                        .integer(0), .text(id), .text("CouponIssued"), .integer(1), .text(user), .integer(Int64(k + 1)),
                        .text(payload), .integer(1_795_680_850_942), .integer(1_795_680_850_942), .integer(Int64(k)),
                    ])
                    issues.append([
                        .integer(1), .text(user), .integer(Int64(k + 1)), .text(id), .integer(1_795_680_850_942),
                    ])
                }
                try connection.transaction {
                    _ = try connection.insert(ProjectionInserts.archive, archive)
                    _ = try connection.insert(ProjectionInserts.issues, issues)
                }
            }
            n += count
        }
        return seconds(since: start)
    }
}

/// Projection workers (in this process, each with its own store and connections), from the
/// start of the log, timed until they have projected all of it.
struct Project: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "project")
    @Option var redis: String
    @Option var partitions: Int = 4
    @Option(help: "sqlite:PATH or mysql://…") var database: String
    @Option var batchSize: Int = 1000
    @Option var workers: Int = 1

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let configuration = try RedisConfiguration(url: redis)
        let client = RedisClient(configuration: configuration)
        defer { client.close() }
        let partitioning = try Partitioning(count: partitions)
        let completion = try await ProjectionCompletion(client: client, partitioning: partitioning)
        let total = completion.events
        for p in partitioning.all {
            _ = try? await client.send(
                RedisCommand("XGROUP", "DESTROY", Partitioning.eventsKey(p), Partitioning.projectionGroup))
        }
        let url = try DatabaseURL(database)
        _ = try await ProjectionStores.open(url).migrate()
        var tasks: [Task<Void, any Error>] = []
        let cpuBefore = processCPUSeconds()
        let redisCPUBefore = try await redisCPUSeconds(client)
        let start = ContinuousClock.now
        for k in 0..<workers {
            let worker = ProjectionWorker(
                configuration: WorkerConfiguration(
                    consumer: "bench-\(k)", partitioning: partitioning, batchSize: batchSize),
                redis: configuration, store: try await ProjectionStores.open(url), logger: logger)
            tasks.append(Task { try await worker.run() })
        }
        _ = try await completion.wait()
        let took = seconds(since: start)
        let cpu = processCPUSeconds() - cpuBefore
        let redisCPU = try await redisCPUSeconds(client) - redisCPUBefore
        for task in tasks { task.cancel() }
        for task in tasks { _ = try? await task.value }
        print(
            String(
                format:
                    "projection: %d events in %.2f s, %.0f events/s (%d worker(s), batches of %d); CPU per event: %.2f us here, %.2f us in redis-server",
                total, took, Double(total) / took, workers, batchSize, cpu / Double(total) * 1e6,
                redisCPU / Double(total) * 1e6))
    }

    private func redisCPUSeconds(_ client: RedisClient) async throws -> Double {
        let text = try await client.send(RedisCommand("INFO", "cpu")).string ?? ""
        var total = 0.0
        for line in text.split(whereSeparator: \.isNewline)
        where line.hasPrefix("used_cpu_sys:") || line.hasPrefix("used_cpu_user:") {
            total += Double(line.split(separator: ":")[1]) ?? 0
        }
        return total
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

}

/// This process's CPU time so far, user and system.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
