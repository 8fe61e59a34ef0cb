import ArgumentParser
import CouponServer
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var projection: ProjectionOptions
    @OptionGroup var access: AccessOptions

    @Option(help: "Projection workers in this process; 0 leaves projection to `coupon worker` (env COUPON_WORKERS).")
    var workers: Int = OptionEnvironment.int("COUPON_WORKERS", default: 1)

    @Option(help: "Address to listen on (env COUPON_HOST).")
    var host: String = OptionEnvironment.string("COUPON_HOST", default: "127.0.0.1")

    @Option(help: "Port to listen on (env COUPON_PORT).")
    var port: Int = OptionEnvironment.int("COUPON_PORT", default: 8080)

    @Option(
        help: "Bearer token for the admin routes (env COUPON_ADMIN_TOKEN); a random one is made and printed if unset.")
    var adminToken: String = OptionEnvironment.string("COUPON_ADMIN_TOKEN", default: "")

    @Option(help: "A file holding the admin token, instead of --admin-token (env COUPON_ADMIN_TOKEN_FILE).")
    var adminTokenFile: String = OptionEnvironment.string("COUPON_ADMIN_TOKEN_FILE", default: "")

    @Option(help: "Redis connections in the pool, each pipelined (env COUPON_REDIS_POOL).")
    var redisPool: Int = OptionEnvironment.int("COUPON_REDIS_POOL", default: 4)

    @Option(
        help: """
            local: answer an admission once the Redis master ran it; replicated: only once a replica \
            also holds it (WAIT 1, 500 ms; else 503 UNCONFIRMED) (env COUPON_DURABILITY).
            """)
    var durability: String = OptionEnvironment.string("COUPON_DURABILITY", default: "local")

    @Option(
        help: """
            Admissions of one partition that wait on one Redis connection at the same time go to Redis \
            as one script run, at most this many; 1: one script run per request (env COUPON_ADMISSION_BATCH).
            """)
    var admissionBatch: Int = OptionEnvironment.int("COUPON_ADMISSION_BATCH", default: 32)

    @Option(
        help: """
            Holders kept in memory to answer sold-out and ended coupons without Redis, over all coupons \
            (about 270 bytes each, measured); 0: every request asks Redis (env COUPON_FINAL_ANSWER_CACHE).
            """)
    var finalAnswerCache: Int = OptionEnvironment.int("COUPON_FINAL_ANSWER_CACHE", default: 100_000)

    @Option(
        help: """
            Event loop threads of the HTTP server; the default is twice the cores, which keeps the latency \
            tail short when the cores are shared (env COUPON_EVENT_LOOPS).
            """)
    var eventLoops: Int = OptionEnvironment.int("COUPON_EVENT_LOOPS", default: AppConfiguration.defaultEventLoops)

    func validate() throws {
        guard adminToken.isEmpty || adminTokenFile.isEmpty else {
            throw ArgumentParser.ValidationError("give --admin-token or --admin-token-file, not both")
        }
        guard (0...100_000_000).contains(finalAnswerCache) else {
            throw ArgumentParser.ValidationError("final-answer-cache must be 0–100000000, got \(finalAnswerCache)")
        }
        guard (0...65535).contains(port) else {
            throw ArgumentParser.ValidationError("port must be 0–65535 (0: any free port), got \(port)")
        }
        guard (1...64).contains(redisPool) else {
            throw ArgumentParser.ValidationError("redis-pool must be 1–64, got \(redisPool)")
        }
        guard ["local", "replicated"].contains(durability) else {
            throw ArgumentParser.ValidationError("durability must be local or replicated, got '\(durability)'")
        }
        guard (1...1024).contains(admissionBatch) else {
            throw ArgumentParser.ValidationError("admission-batch must be 1–1024, got \(admissionBatch)")
        }
        guard (1...256).contains(eventLoops) else {
            throw ArgumentParser.ValidationError("event-loops must be 1–256, got \(eventLoops)")
        }
        guard (0...64).contains(workers) else {
            throw ArgumentParser.ValidationError("workers must be 0–64, got \(workers)")
        }
    }

    func run() async throws {
        let logger = common.makeLogger(label: "coupon")
        var redis = try common.redisConfiguration()
        redis.poolSize = redisPool
        redis.scriptBatchLimit = admissionBatch
        redis.replicaAcknowledgements = durability == "replicated" ? 1 : 0
        var token = adminToken
        if !adminTokenFile.isEmpty { token = try AccessOptions.read(adminTokenFile, "--admin-token-file") }
        if token.isEmpty {
            token = UUID().uuidString.lowercased()
            logger.warning("COUPON_ADMIN_TOKEN is not set; this run's admin token is \(token)")
        }
        var configuration = AppConfiguration(
            host: host, port: port, redis: redis, partitioning: try common.partitioning(), adminToken: token,
            database: try projection.databaseURL(), workers: workers,
            worker: try projection.workerConfiguration(common: common, consumer: nil))
        configuration.metrics = MetricsBootstrap.serviceMetrics(try common.partitioning())
        configuration.finalAnswerCache = finalAnswerCache
        configuration.access = try await access.policy()
        configuration.idleTimeout = .seconds(access.idleTimeout)
        configuration.eventLoops = eventLoops
        let app = try await buildApplication(configuration, logger: logger)
        try await app.runService()
    }
}
