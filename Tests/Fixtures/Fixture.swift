import CouponCore
import CouponLedger
import CouponStore
import CouponWorker
import Foundation
import Logging
import Redis
import TestSupport

/// A deployment of its own for each test: a fresh redis-server, P = 2, a fresh database (a SQLite
/// file, or a MariaDB database). Shared by the worker, audit and command-line tests.
public struct Fixture: Sendable {
    /// The Redis server; on a cluster, its first node (stop the cluster's nodes, not this).
    public let server: RedisServer
    public let cluster: RedisCluster?
    /// `--redis` for processes: the server, or every node of the cluster as a seed.
    public let redisURL: String
    public let client: RedisClient
    public let ledger: RedisCouponLedger
    public let partitioning: Partitioning
    public let engine: TestEngine
    /// The projection's URL, as `--database` takes it.
    public let database: String

    /// `database`: a URL of the engine's to use instead of a fresh database (a server of the test's own).
    /// `cluster`: a Redis Cluster to use instead of a fresh server.
    public init(
        engine: TestEngine = .sqlite, database: String? = nil, partitions: Int = 2, cluster: RedisCluster? = nil
    ) async throws {
        if let cluster {
            server = cluster.nodes[0]
            redisURL = cluster.url
            client = RedisClient(configuration: try cluster.configuration)
        } else {
            server = try await RedisServer()
            redisURL = server.url
            client = RedisClient(configuration: server.configuration)
        }
        self.cluster = cluster
        partitioning = try Partitioning(count: partitions)
        _ = try await RedisDeployment(client: client).initialise(partitioning)
        ledger = RedisCouponLedger(client: client, partitioning: partitioning)
        self.engine = engine
        if let database { self.database = database } else { self.database = try await engine.freshDatabase() }
    }

    /// The SQLite file, for tests of SQLite itself (empty on other engines).
    public var databasePath: String { engine == .sqlite ? Table.sqlitePath(database) : "" }

    /// A database argument as `--database` takes it: URLs as they are, a bare path as SQLite.
    static func url(_ database: String) -> String {
        database.hasPrefix("sqlite:") || database.hasPrefix("mysql://") ? database : "sqlite:" + database
    }

    public static func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("coupon-worker-\(UUID()).sqlite").path
    }

    public var logger: Logger {
        var logger = Logger(label: "test-worker")
        logger.logLevel = .warning
        return logger
    }

    /// Arguments for a `coupon worker` process against this deployment.
    public func workerArguments(_ consumer: String, database: String? = nil, extra: [String] = []) -> [String] {
        [
            "worker", "--consumer", consumer, "--redis", redisURL, "--partitions", String(partitioning.count),
            "--database", Fixture.url(database ?? self.database),
        ] + extra
    }

    /// The flash-sale race straight against the ledger: `users` distinct users at once.
    @discardableResult
    public func race(quantity: Int64, users: Int, prefix: String = "user") async throws -> CouponID {
        let coupon = try await ledger.define(
            try CouponDraft(name: "race", quantity: quantity, startsAt: nil, endsAt: nil))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for user in 0..<users {
                group.addTask {
                    _ = try await ledger.admit(coupon: coupon.id, user: UserID("\(prefix)-\(user)"), requestId: nil)
                }
            }
            try await group.waitForAll()
        }
        return coupon.id
    }

    /// Delivers every entry of a partition to `consumer` (which then "dies" holding them), creating
    /// the group first; returns the entries delivered.
    public func deliver(partition p: Int, to consumer: String) async throws -> [RedisStreamEntry] {
        let key = Partitioning.eventsKey(p)
        _ = try await client.command("XGROUP", "CREATE", key, Partitioning.projectionGroup, "0", "MKSTREAM")
        let reply = try await client.command(
            "XREADGROUP", "GROUP", Partitioning.projectionGroup, consumer, "STREAMS", key, ">")
        return try RedisStreamEntry.parseRead(reply)[key] ?? []
    }

    /// Appends a `CouponIssued` entry straight to the coupon's partition stream, bypassing the
    /// admission script (a poison entry); returns its id.
    public func appendRawIssued(coupon: CouponID, user: String, seq: String) async throws -> String {
        let p = partitioning.partition(of: coupon)
        return try await client.command(
            "XADD", Partitioning.eventsKey(p), "*", "type", "CouponIssued", "v", "1", "coupon", coupon.description,
            "user", user, "seq", seq, "at", "1"
        ).string ?? ""
    }

    /// Entries in the dead-letter streams of all partitions.
    public func deadLetters() async throws -> Int64 {
        var total: Int64 = 0
        for p in partitioning.all { total += try await client.command("XLEN", Partitioning.deadKey(p)).int ?? 0 }
        return total
    }

    /// Every CouponIssued event in the log as "coupon|user|seq|eventId".
    public func issuedInLog() async throws -> Set<String> {
        var result = Set<String>()
        for p in partitioning.all {
            let entries = try RedisStreamEntry.parseList(
                try await client.command("XRANGE", Partitioning.eventsKey(p), "-", "+"))
            for entry in entries {
                let fields = entry.dictionary
                if fields["type"] == "CouponIssued", let coupon = fields["coupon"], let user = fields["user"],
                    let seq = fields["seq"]
                {
                    result.insert("\(coupon)|\(user)|\(seq)|\(entry.id)")
                }
            }
        }
        return result
    }

    public func issuedInTable(_ path: String? = nil) throws -> Set<String> {
        Set(try Table.rows(path ?? database, "SELECT coupon_id, user_id, seq, event_id FROM coupon_issues"))
    }

    /// Entries delivered to some consumer and not yet acknowledged, over all partitions.
    public func pending() async throws -> Int64 {
        var total: Int64 = 0
        for p in partitioning.all {
            do {
                let summary = try await client.command(
                    "XPENDING", Partitioning.eventsKey(p), Partitioning.projectionGroup)
                total += summary.array?.first?.int ?? 0
            } catch let error as RedisError where error.serverKind == .noGroup {
                // No group yet: nothing was delivered, so nothing is pending.
            }
        }
        return total
    }

    /// Waits until nothing is pending and `coupon_issues` holds `issues` rows; true if it got there.
    public func caughtUp(issues: Int) async throws -> Bool {
        try await eventually {
            let pending = try await pending()
            return pending == 0 && Table.count(database, "coupon_issues") == issues
        }
    }

    public func logLength() async throws -> Int64 {
        var total: Int64 = 0
        for p in partitioning.all { total += try await client.command("XLEN", Partitioning.eventsKey(p)).int ?? 0 }
        return total
    }
}

/// Reads the projection the way a user would check it, on a connection of its own: `database` is
/// a SQLite file's path, or a `sqlite:` or `mysql://` URL.
public enum Table {
    public static func rows(_ database: String, _ sql: String) throws -> [String] {
        if database.hasPrefix("mysql://") {
            return try MariaDBConnection(try MariaDBConfiguration(url: database)).rows(sql)
        }
        return try SQLiteConnection(path: sqlitePath(database)).rows(sql)
    }

    /// A SQLite file's path from a `sqlite:` URL or a bare path.
    static func sqlitePath(_ database: String) -> String {
        database.hasPrefix("sqlite:") ? String(database.dropFirst("sqlite:".count)) : database
    }

    /// Runs a statement that returns no rows (a test damaging the projection on purpose).
    public static func execute(_ database: String, _ sql: String) throws {
        if database.hasPrefix("mysql://") {
            try MariaDBConnection(try MariaDBConfiguration(url: database)).execute(sql)
        } else {
            try SQLiteConnection(path: sqlitePath(database)).execute(sql)
        }
    }

    public static func count(_ database: String, _ table: String) -> Int {
        (try? rows(database, "SELECT count(*) FROM \(table)").first.flatMap { Int($0) }) ?? -1
    }

    /// A checksum per table over every row in key order (FNV-1a 64 of the rows' text).
    /// `stable` leaves out the columns that record when a row was written, not what it says.
    public static func checksums(_ database: String, stable: Bool = false) throws -> [String: String] {
        let queries = [
            "coupons": "SELECT * FROM coupons ORDER BY id",
            "coupon_issues": "SELECT * FROM coupon_issues ORDER BY coupon_id, user_id",
            "coupon_events": "SELECT * FROM coupon_events ORDER BY partition_no, event_id",
            "projection_progress": stable
                ? "SELECT partition_no, last_event_id FROM projection_progress ORDER BY partition_no"
                : "SELECT * FROM projection_progress ORDER BY partition_no",
            "schema_migrations": stable
                ? "SELECT version FROM schema_migrations ORDER BY version"
                : "SELECT * FROM schema_migrations ORDER BY version",
        ]
        return try queries.mapValues { sql in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            var count = 0
            for row in try rows(database, sql) {
                for byte in (row + "\n").utf8 {
                    hash ^= UInt64(byte)
                    hash = hash &* 0x100_0000_01b3
                }
                count += 1
            }
            return "\(count) rows, fnv \(String(hash, radix: 16))"
        }
    }
}

/// Runs an in-process worker until `body` returns.
public func withWorker<T>(
    _ fixture: Fixture, consumer: String = "in-process", database: String? = nil,
    configure: (inout WorkerConfiguration) -> Void = { _ in }, _ body: () async throws -> T
) async throws -> T {
    var configuration = WorkerConfiguration(consumer: consumer, partitioning: fixture.partitioning)
    configuration.block = .milliseconds(100)
    configure(&configuration)
    let store =
        if let database {
            try await TestEngine.sqlite.store(Fixture.url(database))
        } else {
            try await fixture.engine.store(fixture.database)
        }
    let worker = ProjectionWorker(
        configuration: configuration, redis: fixture.server.configuration, store: store, logger: fixture.logger)
    let task = Task { try await worker.run() }
    defer { task.cancel() }
    let result = try await body()
    task.cancel()
    _ = try? await task.value
    return result
}
