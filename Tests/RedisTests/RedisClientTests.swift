import Foundation
import Logging
import Redis
import TestSupport
import Testing

@Suite struct RedisClientTests {
    @Test func roundTripsStringsIncludingEmptyAndBinarySafeValues() async throws {
        let client = RedisClient(configuration: try await TestRedis.sharedConfiguration())
        defer { client.close() }
        let key = "test:roundtrip:\(UUID())"
        let value = "héllo wörld \u{1F600} with spaces\r\n and CRLF"
        #expect(try await client.command("SET", key, value) == .status("OK"))
        #expect(try await client.command("GET", key).string == value)
        #expect(try await client.command("SET", key, "") == .status("OK"))
        #expect(try await client.command("GET", key) == .bulk(""))
        #expect(try await client.command("GET", "test:missing:\(UUID())") == .null)
        #expect(try await client.command("RPUSH", key + ":l", "a", "b") == .integer(2))
        #expect(try await client.command("LRANGE", key + ":l", "0", "-1") == .array([.bulk("a"), .bulk("b")]))
    }

    /// Every reply shape, nested, as one script's answer; then a reply of several megabytes (the
    /// reply buffer grows for it and is given back after it), and small replies again.
    @Test func repliesOfEveryShapeAndSizeDecodeWhole() async throws {
        let client = RedisClient(configuration: try await TestRedis.sharedConfiguration())
        defer { client.close() }
        let nested = try await client.command(
            "EVAL",
            """
            return {1, -9007199254740991, "", "a\0b", {}, {"x", {2, {"deep", {"deeper"}}}}, false,
                    {ok = "FINE"}, {err = "NOPE it failed"}, ARGV[1]}
            """, "0", "grüße")
        #expect(
            nested
                == .array([
                    .integer(1), .integer(-9_007_199_254_740_991), .bulk(""), .bulk("a\u{0}b"), .array([]),
                    .array([.bulk("x"), .array([.integer(2), .array([.bulk("deep"), .array([.bulk("deeper")])])])]),
                    .null, .status("FINE"), .error("NOPE it failed"), .bulk("grüße"),
                ]))
        let key = "test:large:\(UUID())"
        let item = String(repeating: "v", count: 1000)
        for _ in 0..<10 {
            _ = try await client.send(RedisCommand(["RPUSH", key] + Array(repeating: item, count: 500)))
        }
        let all = try await client.command("LRANGE", key, "0", "-1")
        #expect(all.array?.count == 5000)
        #expect(all.array?.allSatisfy { $0 == .bulk(item) } == true)
        #expect(try await client.command("LLEN", key) == .integer(5000))
        #expect(try await client.command("LRANGE", key, "0", "1") == .array([.bulk(item), .bulk(item)]))
        _ = try await client.command("DEL", key)
    }

    @Test func errorRepliesThrowServerError() async throws {
        let client = RedisClient(configuration: try await TestRedis.sharedConfiguration())
        defer { client.close() }
        await #expect(throws: RedisError.self) { try await client.command("NOSUCHCOMMAND") }
        do {
            _ = try await client.command("INCR", "test:notanumber:\(UUID())", "extra")
            Issue.record("expected an error reply")
        } catch let error as RedisError {
            #expect(error.code == .serverError)
            #expect(error.message.hasPrefix("ERR"))
        }
        // The connection is still usable after an error reply.
        #expect(try await client.command("PING") == .status("PONG"))
    }

    /// An operator's `top -H` (and `perf`, and `/proc/<pid>/task`) shows each connection's owner
    /// thread under the connection's name, cut to Linux's 15 bytes.
    @Test func theOwnerThreadCarriesTheConnectionsName() async throws {
        let tag = String(UUID().uuidString.prefix(6))
        let connection = RedisConnection(
            configuration: try await TestRedis.sharedConfiguration(), name: "t\(tag)-owner-thread-name",
            logger: Logger(label: "test"))
        defer { connection.close() }
        #expect(try await connection.send(RedisCommand(["PING"])) == .status("PONG"))
        let names = try threadNames()
        #expect(names.contains("t\(tag)-owner-t"), "\(names)")
    }

    /// Thousands of concurrent callers share a few pipelined connections; every caller must get
    /// its own reply, in order, exactly once.
    @Test func concurrentCallersEachGetTheirOwnReply() async throws {
        let client = RedisClient(configuration: try await TestRedis.sharedConfiguration())
        defer { client.close() }
        let key = "test:counter:\(UUID())"
        let callers = 20_000
        let values = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<callers {
                group.addTask { try await client.command("INCR", key).int ?? -1 }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(values) == Set((1...Int64(callers))))
        #expect(try await client.command("GET", key).int == Int64(callers))
        // Concurrent callers share round trips: that is the point of the pipeline.
        let (roundTrips, commands) = client.statistics
        #expect(commands == callers + 2)  // + the GET, + `INFO cluster` on first use
        #expect(roundTrips < commands / 2)
    }

    @Test func downRedisFailsFastAndTheClientRecoversWhenItReturns() async throws {
        let server = try await RedisServer()
        let client = RedisClient(configuration: server.configuration)
        defer { client.close() }
        #expect(try await client.command("SET", "k", "v") == .status("OK"))

        server.stop()
        let started = ContinuousClock.now
        for _ in 0..<3 {
            do {
                _ = try await client.command("GET", "k")
                Issue.record("expected a connection error while Redis is down")
            } catch let error as RedisError {
                #expect(error.isConnectionError)
            }
        }
        // Not a speed measurement: the bound only tells "failed at once" from "waited for the
        // command timeout" (2 s each, 6 s for three), on a machine the whole suite is loading.
        #expect(ContinuousClock.now - started < .seconds(5))

        try await server.start()  // AOF on: the data survives the restart
        var recovered: RedisReply?
        for _ in 0..<50 where recovered == nil {
            recovered = try? await client.command("GET", "k")
            if recovered == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(recovered?.string == "v")
    }

    @Test func scriptsSurviveScriptFlush() async throws {
        let server = try await RedisServer()  // SCRIPT FLUSH must not reach other tests' scripts
        let client = RedisClient(configuration: server.configuration)
        defer { client.close() }
        let script = RedisScript("#!lua\nreturn redis.call('INCR', KEYS[1])")
        let key = "test:script:\(UUID())"
        #expect(try await script.run(on: client, keys: [key], arguments: []) == .integer(1))
        _ = try await client.command("SCRIPT", "FLUSH")
        #expect(try await script.run(on: client, keys: [key], arguments: []) == .integer(2))
    }

    /// A script for many requests: appends each request's value to the shared list and answers
    /// the list's length after it, so each answer says where that request's value landed.
    private static let appendEach = RedisScript(
        """
        #!lua
        local answers = {}
        for i = 1, #ARGV do answers[i] = redis.call('RPUSH', KEYS[1], ARGV[i]) end
        return answers
        """)

    /// Concurrent calls of one group share commands, and each caller gets its own element back:
    /// the value at the position it was told is its own value.
    @Test(arguments: [1, 32])
    func scriptCallsOfOneGroupShareACommandAndEachGetsItsOwnAnswer(limit: Int) async throws {
        var configuration = try await TestRedis.sharedConfiguration()
        configuration.scriptBatchLimit = limit
        let client = RedisClient(configuration: configuration)
        defer { client.close() }
        let lists = ["test:combined:\(UUID()):a", "test:combined:\(UUID()):b"]
        let callers = 4_000
        // The script loaded first, so that what is counted below are the calls alone.
        _ = try await Self.appendEach.run(
            on: client, sharedKeys: ["test:combined:\(UUID())"], keys: [], arguments: ["warm"])
        let (_, before) = client.statistics
        let answers = try await withThrowingTaskGroup(of: (Int, Int64).self) { group in
            for caller in 0..<callers {
                group.addTask {
                    let reply = try await Self.appendEach.run(
                        on: client, sharedKeys: [lists[caller % 2]], keys: [], arguments: ["v\(caller)"])
                    return (caller, reply.int ?? -1)
                }
            }
            return try await group.reduce(into: [Int: Int64]()) { $0[$1.0] = $1.1 }
        }
        let commands = client.statistics.commands - before
        for list in lists {
            #expect(try await client.command("LLEN", list).int == Int64(callers / 2))
        }
        let contents = [
            try await client.command("LRANGE", lists[0], "0", "-1").array ?? [],
            try await client.command("LRANGE", lists[1], "0", "-1").array ?? [],
        ]
        for (caller, position) in answers {
            #expect(contents[caller % 2][Int(position) - 1].string == "v\(caller)", "caller \(caller)")
        }
        if limit == 1 {
            #expect(commands == callers)
        } else {
            #expect(commands < callers / 2, "combined calls: \(commands) commands for \(callers) calls")
        }
    }

    @Test func combinedScriptCallsSurviveScriptFlush() async throws {
        // A server of its own: SCRIPT FLUSH on the shared one would send other tests' calls the
        // fallback way and change their counts.
        let server = try await RedisServer()
        let client = RedisClient(configuration: server.configuration)
        defer { client.close() }
        let list = "test:combined-flush:\(UUID())"
        #expect(
            try await Self.appendEach.run(on: client, sharedKeys: [list], keys: [], arguments: ["a"]) == .integer(1))
        _ = try await client.command("SCRIPT", "FLUSH")
        #expect(
            try await Self.appendEach.run(on: client, sharedKeys: [list], keys: [], arguments: ["b"]) == .integer(2))
        #expect(try await client.command("LRANGE", list, "0", "-1") == .array([.bulk("a"), .bulk("b")]))
    }

    @Test func authenticatesAndSelectsTheDatabaseOnEveryConnect() async throws {
        let server = try await RedisServer(arguments: ["--requirepass", "s3cret"])
        var configuration = try RedisConfiguration(url: "redis://:s3cret@127.0.0.1:\(server.port)/3")
        let client = RedisClient(configuration: configuration)
        defer { client.close() }
        #expect(try await client.command("SET", "in-three", "yes") == .status("OK"))
        #expect(try await client.command("CLIENT", "INFO").string?.contains("db=3") == true)

        // After a restart the client reconnects, and authenticates and selects again.
        server.stop()
        try await server.start()
        var value: RedisReply?
        for _ in 0..<50 where value == nil {
            value = try? await client.command("GET", "in-three")
            if value == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(value == .bulk("yes"))

        configuration.password = "wrong"
        let refused = RedisClient(configuration: configuration)
        defer { refused.close() }
        do {
            _ = try await refused.command("PING")
            Issue.record("a wrong password must not connect")
        } catch let error as RedisError {
            #expect(error.code == .connectionFailed)
            #expect(error.message.contains("AUTH refused"))
            #expect(!error.message.contains("wrong"), "the password must not appear in errors")
        }
    }

    @Test func parsesRedisURLs() throws {
        let configuration = try RedisConfiguration(url: "redis://10.0.0.5:6380")
        #expect(configuration.host == "10.0.0.5")
        #expect(configuration.port == 6380)
        #expect(try RedisConfiguration(url: "redis://cache").port == 6379)
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "http://cache:6379") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://cache:99999") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://:6379") }
        let full = try RedisConfiguration(url: "redis://app:p%40ss@cache.internal:6380/2")
        #expect(full.username == "app")
        #expect(full.password == "p@ss")
        #expect(full.host == "cache.internal")
        #expect(full.port == 6380)
        #expect(full.database == 2)
        #expect(full.url == "redis://***@cache.internal:6380/2")
        let passwordOnly = try RedisConfiguration(url: "redis://:secret@cache")
        #expect(passwordOnly.username == nil)
        #expect(passwordOnly.password == "secret")
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://cache/x") }
        // Cluster seeds: credentials and database once, then host:port pairs.
        let seeds = try RedisConfiguration(url: "redis://:pw@redis-a:7000,redis-b:7001,redis-c/1")
        #expect(seeds.seeds.map(\.description) == ["redis-a:7000", "redis-b:7001", "redis-c:6379"])
        #expect(seeds.password == "pw")
        #expect(seeds.database == 1)
        #expect(seeds.url == "redis://***@redis-a:7000,redis-b:7001,redis-c:6379/1")
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://a:7000,,b:7001") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://a:7000,b:x") }
    }
}

/// Server error replies are classified once, by the client, into kinds.
@Suite struct RedisErrorKindTests {
    @Test func errorRepliesGetTheirKind() {
        let cases: [(String, RedisError.ServerKind)] = [
            ("NOSCRIPT No matching script. Please use EVAL.", .noScript),
            ("NOGROUP No such key 'cpn:{0}:events' or consumer group 'projector'", .noGroup),
            ("BUSYGROUP Consumer Group name already exists", .busyGroup),
            ("MOVED 3999 127.0.0.1:6381", .moved), ("ASK 3999 127.0.0.1:6381", .ask),
            ("TRYAGAIN Multiple keys request during rehashing of slot", .tryAgain),
            ("CLUSTERDOWN The cluster is down", .clusterDown),
            ("READONLY You can't write against a read only replica.", .readOnly),
            ("OOM command not allowed when used memory > 'maxmemory'.", .outOfMemory),
            ("LOADING Redis is loading the dataset in memory", .loading), ("ERR unknown command 'NOPE'", .other),
            ("NOSCRIPTS is not a kind", .other),
        ]
        for (message, kind) in cases {
            #expect(RedisError(.serverError, message).serverKind == kind, "\(message)")
        }
        #expect(RedisError(.connectionLost, "NOSCRIPT looks like one").serverKind == nil)
    }

    @Test func aRealErrorReplyIsClassified() async throws {
        let client = RedisClient(configuration: try await TestRedis.sharedConfiguration())
        defer { client.close() }
        let error = try await #require(throws: RedisError.self) {
            try await client.command("EVALSHA", String(repeating: "0", count: 40), "0")
        }
        #expect(error.serverKind == .noScript)
    }

    @Test func malformedURLsNeverEchoTheirPassword() {
        for url in ["redis://user:s3cret@host:notaport", "redis://:s3cret@host:1/x", "redi://:s3cret@host"] {
            let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
            #expect(error?.message.contains("s3cret") == false, "\(error?.message ?? "")")
            #expect(error?.message.contains("***") == true, "\(error?.message ?? "")")
        }
    }
}
