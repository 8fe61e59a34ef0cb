import ArgumentParser
import CouponStore
import Foundation
import Hummingbird
import Redis
import Synchronization

/// The classic first-come strategies this design replaces, each as the small HTTP server the
/// original write-up builds: `POST /v1/coupons/1/issues {"userId"}` answers 201, 409 or 410 over
/// one table of issuances with no unique keys (as in the write-up: the strategy, not the schema,
/// must keep the count), in SQLite or MariaDB, through a pool of connections as an application
/// server has. Each issuance keeps the seq its 201 answered (the count it read, plus one), so a
/// count read by two deciders shows as a seq given twice even when the sale happened to end on
/// the quantity. For `scripts/bench strategies` only — never the service's path.
///
/// Every strategy runs the same check-then-act, one statement per database round trip as an ORM
/// would: does the user hold one? how many are issued? insert. They differ in what guards it:
/// - `unguarded`: nothing (over-issues under concurrency: that is its point);
/// - `mutex`: an in-process lock (correct in one process only);
/// - `redis-lock`: `SET lock NX PX` spun on, released by a compare-and-delete script;
/// - `row-lock`: the database's lock, the three statements in one transaction: `SELECT … FOR
///   UPDATE` of the coupon row first on MariaDB, `BEGIN IMMEDIATE` on SQLite.
struct Strategy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strategy", abstract: "Serve one classic issuance strategy (benchmark only).")

    enum Kind: String, ExpressibleByArgument, CaseIterable, Sendable {
        case unguarded, mutex
        case redisLock = "redis-lock"
        case rowLock = "row-lock"
    }

    @Option var kind: Kind
    @Option var port: Int
    @Option(help: "sqlite:PATH or mysql://…, shared by every process of the strategy.") var database: String
    @Option var redis: String = "redis://127.0.0.1:6379"
    @Option var quantity: Int = 500
    @Option(help: "Database connections in the pool.") var pool: Int = 8
    @Flag(help: "Create the tables and the coupon (the first process only).") var create = false

    func run() async throws {
        switch try DatabaseURL(database) {
        case .sqlite(let path):
            try await serve { try SQLiteConnection(path: path) }
        case .mysql(let url):
            let configuration = try MariaDBConfiguration(url: url)
            try await serve { try MariaDBConnection(configuration) }
        }
    }

    func serve<C: SQLConnection>(_ open: @escaping @Sendable () throws -> C) async throws {
        var connections: [DatabaseQueue<C>] = []
        for _ in 0..<pool { connections.append(try await DatabaseQueue(label: "strategy", open: open)) }
        if create {
            let quantity = Int64(quantity)
            try await connections[0].perform { connection in
                let key =
                    connection.dialect == .sqlite
                    ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT PRIMARY KEY AUTO_INCREMENT"
                try connection.execute("DROP TABLE IF EXISTS strategy_issues")
                try connection.execute("DROP TABLE IF EXISTS strategy_coupons")
                try connection.execute("CREATE TABLE strategy_coupons (id BIGINT PRIMARY KEY, total BIGINT NOT NULL)")
                try connection.execute(
                    "CREATE TABLE strategy_issues (id \(key), coupon_id BIGINT NOT NULL, user_id VARCHAR(64) NOT NULL, "
                        + "seq BIGINT NOT NULL, issued_at BIGINT NOT NULL)")
                try connection.execute("CREATE INDEX strategy_issues_by_user ON strategy_issues (coupon_id, user_id)")
                try connection.run("INSERT INTO strategy_coupons VALUES (1, ?)", [.integer(quantity)])
            }
        }
        let issuer = ClassicIssuer(
            kind: kind, pool: connections,
            redis: kind == .redisLock ? RedisClient(configuration: try RedisConfiguration(url: redis)) : nil)
        let router = Router()
        router.post("/v1/coupons/:id/issues") { request, context -> Response in
            let body = try await request.decode(as: IssueBody.self, context: context)
            return try await issuer.issue(user: body.userId)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}

struct IssueBody: Decodable { let userId: String }

/// A shared counter for round robin.
final class RoundRobin: Sendable {
    private let counter = Atomic<Int>(0)
    func take() -> Int { counter.add(1, ordering: .relaxed).oldValue }
}

/// The check-then-act and its guard.
struct ClassicIssuer<C: SQLConnection>: Sendable {
    let kind: Strategy.Kind
    let pool: [DatabaseQueue<C>]
    let redis: RedisClient?
    let mutex = AsyncMutex()
    let next = RoundRobin()

    /// A connection of the pool, round robin (each statement may land on another, as with an ORM).
    var database: DatabaseQueue<C> { pool[next.take() % pool.count] }

    func issue(user: String) async throws -> Response {
        switch kind {
        case .unguarded:
            return try await checkThenInsert(user)
        case .mutex:
            await mutex.lock()
            defer { mutex.unlock() }
            return try await checkThenInsert(user)
        case .redisLock:
            guard let redis else { throw HTTPError(.internalServerError) }
            let token = UUID().uuidString
            // Spin until the lock is ours (the write-up's retry loop), 1 ms apart.
            while try await redis.send(RedisCommand("SET", "strategy:lock:1", token, "NX", "PX", "2000")).isNull {
                try await Task.sleep(for: .milliseconds(1))
            }
            do {
                let answer = try await checkThenInsert(user)
                try await release(redis, token)
                return answer
            } catch {
                try? await release(redis, token)
                throw error
            }
        case .rowLock:
            // All three on one connection in one transaction, the coupon row locked first.
            return try await database.perform { connection in
                try connection.transaction {
                    let quantity = try ClassicIssuer.quantity(on: connection, locking: true)
                    if try ClassicIssuer.holds(user, on: connection) { return ClassicIssuer.answer(409, user, nil) }
                    let issued = try ClassicIssuer.issued(on: connection)
                    if issued >= quantity { return ClassicIssuer.answer(410, user, nil) }
                    try ClassicIssuer.insert(user, seq: issued + 1, on: connection)
                    return ClassicIssuer.answer(201, user, issued + 1)
                }
            }
        }
    }

    /// The same statements, each a round trip of its own, nothing held between them.
    private func checkThenInsert(_ user: String) async throws -> Response {
        if try await database.perform({ try ClassicIssuer.holds(user, on: $0) }) {
            return ClassicIssuer.answer(409, user, nil)
        }
        let (issued, quantity) = try await database.perform {
            (try ClassicIssuer.issued(on: $0), try ClassicIssuer.quantity(on: $0, locking: false))
        }
        if issued >= quantity { return ClassicIssuer.answer(410, user, nil) }
        try await database.perform { try ClassicIssuer.insert(user, seq: issued + 1, on: $0) }
        return ClassicIssuer.answer(201, user, issued + 1)
    }

    static func holds(_ user: String, on connection: C) throws -> Bool {
        try !connection.rows("SELECT 1 FROM strategy_issues WHERE coupon_id = 1 AND user_id = ?", [.text(user)]).isEmpty
    }

    static func issued(on connection: C) throws -> Int {
        Int(try connection.rows("SELECT count(*) FROM strategy_issues WHERE coupon_id = 1")[0])!
    }

    /// The coupon's quantity; `locking`: the row is locked for the transaction (SQLite's BEGIN
    /// IMMEDIATE already holds the whole file).
    static func quantity(on connection: C, locking: Bool) throws -> Int {
        let lock = locking ? connection.dialect.lockingRead : ""
        return Int(try connection.rows("SELECT total FROM strategy_coupons WHERE id = 1" + lock)[0])!
    }

    static func insert(_ user: String, seq: Int, on connection: C) throws {
        _ = try connection.run(
            "INSERT INTO strategy_issues (coupon_id, user_id, seq, issued_at) VALUES (1, ?, ?, ?)",
            [.text(user), .integer(Int64(seq)), .integer(Int64(Date().timeIntervalSince1970 * 1000))])
    }

    private func release(_ redis: RedisClient, _ token: String) async throws {
        _ = try await redis.send(
            .eval(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                keys: ["strategy:lock:1"], arguments: [token]))
    }

    /// The service's answers, in the same shapes (user ids here are the benchmark's own, plain).
    static func answer(_ status: Int, _ user: String, _ seq: Int?) -> Response {
        let body: String
        switch status {
        case 201: body = #"{"couponId":1,"seq":\#(seq ?? 0),"userId":"\#(user)"}"#
        case 409: body = #"{"error":{"code":"ALREADY_ISSUED","message":"this user already holds this coupon"}}"#
        default: body = #"{"error":{"code":"SOLD_OUT","message":"every coupon has been issued"}}"#
        }
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// A lock an async function may hold across suspension points (an actor would let other calls in
/// at every `await`): waiters resume one at a time, in arrival order.
final class AsyncMutex: Sendable {
    private let state = Mutex<(locked: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func lock() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                if !state.locked {
                    state.locked = true
                    return true
                }
                state.waiters.append(waiter)
                return false
            }
            if acquired { waiter.resume() }
        }
    }

    func unlock() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
