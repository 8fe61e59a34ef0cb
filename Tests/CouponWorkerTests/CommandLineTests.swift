import CouponCore
import CouponStore
import Fixtures
import Foundation
import Redis
import TestSupport
import Testing

/// The `coupon` executable as an operator runs it: exit codes, output, and nothing written when
/// it refuses.
@Suite struct CommandLineTests {
    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        status: Int32, output: String
    ) {
        let process = try CouponProcess(arguments, environment: environment)
        let exit = try await process.waitForExit()
        return (exit.status, process.log)
    }

    @Test func initIsIdempotentAndRefusesAnotherPartitionCount() async throws {
        let server = try await RedisServer()
        let first = try await run(["init", "--redis", server.url, "--partitions", "3"])
        #expect(first.status == 0)
        #expect(first.output.contains("initialised: 3 partition(s)"))
        let again = try await run(["init", "--redis", server.url, "--partitions", "3"])
        #expect(again.status == 0)
        #expect(again.output.contains("already initialised"))
        let other = try await run(["init", "--redis", server.url, "--partitions", "2"])
        #expect(other.status != 0)
        #expect(other.output.contains("initialised with 3 partitions"))
        let serve = try await run([
            "serve", "--redis", server.url, "--partitions", "2", "--port", "0", "--workers", "0",
        ])
        #expect(serve.status != 0, "serve must refuse another partition count")
    }

    @Test func couponsCreateAndShowPrintJSONAndBadDefinitionsWriteNothing() async throws {
        let server = try await RedisServer()
        let redis = ["--redis", server.url, "--partitions", "2"]
        #expect(try await run(["init"] + redis).status == 0)
        let client = RedisClient(configuration: server.configuration)
        defer { client.close() }
        let before = try await client.digest()
        for bad in [
            ["--name", "x", "--quantity", "0"], ["--name", "x", "--quantity", "-1"], ["--name", "", "--quantity", "5"],
            ["--name", "x", "--quantity", "5", "--starts", "2030-01-02T00:00:00Z", "--ends", "2030-01-01T00:00:00Z"],
            ["--name", "x", "--quantity", "5", "--starts", "soon"],
        ] {
            let refused = try await run(["coupons", "create"] + redis + bad)
            #expect(refused.status != 0, "\(bad)")
        }
        #expect(try await client.digest() == before)

        let created = try await run(
            ["coupons", "create"] + redis + [
                "--name", "Nego King 500", "--quantity", "500", "--ends", "2099-01-01T00:00:00Z",
            ])
        #expect(created.status == 0, "\(created.output)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(created.output.utf8.drop { $0 != UInt8(ascii: "{") }))
                as? [String: Any])
        #expect(json["name"] as? String == "Nego King 500")
        #expect(json["quantity"] as? Int == 500)
        #expect(json["endsAt"] as? String == "2099-01-01T00:00:00.000Z")
        let id = try #require(json["id"] as? Int)
        let shown = try await run(["coupons", "show"] + redis + [String(id)])
        #expect(shown.status == 0)
        #expect(shown.output.contains("\"remaining\" : 500"))
        #expect(try await run(["coupons", "show"] + redis + ["0"]).status != 0)
    }

    @Test(arguments: TestEngine.servers)
    func migrateAndReplayRunTwiceWithoutChange(engine: TestEngine) async throws {
        let fixture = try await Fixture()
        try await fixture.race(quantity: 50, users: 80)
        let database = try await engine.freshDatabase()
        let migrated = try await run(["migrate", "--database", database])
        #expect(migrated.status == 0)
        #expect(migrated.output.contains("applied 1"))
        #expect(try await run(["migrate", "--database", database]).output.contains("schema is current"))

        let redis = ["--redis", fixture.server.url, "--partitions", "2", "--database", database]
        let first = try await run(["replay"] + redis)
        #expect(first.status == 0)
        #expect(first.output.contains("replayed 51 events"), "\(first.output)")
        #expect(first.output.contains("51 new"))
        let second = try await run(["replay"] + redis)
        #expect(second.output.contains("0 new, 0 rows written"), "\(second.output)")
        #expect(try await run(["migrate", "--database", "postgres://nope"]).status != 0)
    }

    @Test(arguments: [
        ["serve", "--workers=-1"], ["serve", "--port", "70000"], ["serve", "--redis", "http://x"],
        ["serve", "--partitions", "0"], ["worker", "--batch-size", "0"], ["worker", "--database", "nope"],
        ["replay", "--database", "sqlite:"], ["init", "--log-level", "loud"],
    ])
    func badOptionsAreRefusedWithAMessage(_ arguments: [String]) async throws {
        let refused = try await run(arguments)
        #expect(refused.status != 0)
        #expect(refused.output.contains("Error"), "\(refused.output)")
    }

    struct Refusal: Sendable, CustomStringConvertible {
        let arguments: [String]
        var environment: [String: String] = [:]
        /// Words the message must name.
        let names: [String]
        var description: String { "\(arguments) \(environment)" }
    }

    /// Malformed variables are errors naming them, never silent defaults; every option is
    /// range-checked; a password in a malformed URL is never echoed.
    @Test(arguments: [
        Refusal(arguments: ["serve"], environment: ["COUPON_PORT": "abc"], names: ["COUPON_PORT", "abc"]),
        Refusal(
            arguments: ["serve", "--port", "9"], environment: ["COUPON_WORKERS": "two"], names: ["COUPON_WORKERS"]),
        Refusal(arguments: ["worker"], environment: ["COUPON_CLAIM_TIMEOUT": "soon"], names: ["COUPON_CLAIM_TIMEOUT"]),
        Refusal(arguments: ["init"], environment: ["COUPON_PARTITIONS": "4x"], names: ["COUPON_PARTITIONS"]),
        Refusal(arguments: ["worker", "--claim-timeout", "0.001"], names: ["claim-timeout"]),
        Refusal(arguments: ["worker", "--max-deliveries", "0"], names: ["max-deliveries"]),
        Refusal(arguments: ["replay"], environment: ["COUPON_BATCH_SIZE": "0"], names: ["batch-size"]),
        Refusal(arguments: ["serve", "--redis-pool", "0"], names: ["redis-pool"]),
        Refusal(arguments: ["migrate", "--database", "mysql://:s3cret@db/coupons"], names: ["needs a user"]),
        Refusal(arguments: ["worker", "--database", "mysql://coupon:s3cret@db:3306/"], names: ["database name"]),
        Refusal(
            arguments: ["audit", "verify"], environment: ["COUPON_DATABASE_URL": "mysql://coupon@db:99999/coupons"],
            names: ["bad port"]),
        Refusal(arguments: ["serve", "--auth", "basic"], names: ["auth must be none or jwt"]),
        Refusal(arguments: ["serve", "--auth", "jwt"], names: ["exactly one of --jwt-secret-file"]),
        Refusal(
            arguments: ["serve", "--auth", "jwt", "--jwt-secret-file", "/nonexistent/secret"],
            names: ["--jwt-secret-file: cannot read /nonexistent/secret"]),
        Refusal(arguments: ["serve", "--rate-limit-user", "5/x"], names: ["per s, m or h"]),
        Refusal(arguments: ["serve", "--rate-limit-ip", "50/s", "--rate-limit-ip-burst", "-1"], names: ["burst"]),
        Refusal(arguments: ["serve", "--trust-proxy", "10.0.0.0/33"], names: ["bad prefix length"]),
        Refusal(arguments: ["serve", "--trust-proxy", "proxy.internal"], names: ["expected an address or range"]),
        Refusal(arguments: ["serve", "--durability", "eventual"], names: ["durability must be local or replicated"]),
        Refusal(arguments: ["serve", "--admission-batch", "0"], names: ["admission-batch"]),
        Refusal(arguments: ["serve"], environment: ["COUPON_MAX_INFLIGHT": "lots"], names: ["COUPON_MAX_INFLIGHT"]),
        Refusal(arguments: ["serve", "--idle-timeout", "0"], names: ["idle-timeout"]),
        Refusal(arguments: ["serve", "--event-loops", "0"], names: ["event-loops must be 1–256, got 0"]),
        Refusal(arguments: ["serve"], environment: ["COUPON_EVENT_LOOPS": "many"], names: ["COUPON_EVENT_LOOPS"]),
        Refusal(
            arguments: ["serve", "--admin-token", "a", "--admin-token-file", "/nonexistent/token"],
            names: ["not both"]),
        Refusal(arguments: ["init", "--redis", "redis://a:1,:2"], names: ["host:port"]),
    ])
    func malformedEnvironmentAndOutOfRangeOptionsAreRefused(_ refusal: Refusal) async throws {
        let refused = try await run(refusal.arguments, environment: refusal.environment)
        #expect(refused.status != 0)
        for name in refusal.names { #expect(refused.output.contains(name), "\(refused.output)") }
    }

    @Test(arguments: ["redis://user:s3cret@127.0.0.1:notaport", "redis://:s3cret@127.0.0.1:1/db", "http://:s3cret@x"])
    func aMalformedRedisURLNeverEchoesItsPassword(_ url: String) async throws {
        let viaFlag = try await run(["init", "--redis", url])
        let viaEnvironment = try await run(["init"], environment: ["COUPON_REDIS_URL": url])
        for refused in [viaFlag, viaEnvironment] {
            #expect(refused.status != 0)
            #expect(!refused.output.contains("s3cret"), "\(refused.output)")
        }
    }

    @Test func replayReadsItsBatchSizeFromTheEnvironment() async throws {
        let fixture = try await Fixture()
        try await fixture.race(quantity: 10, users: 10)
        let database = "sqlite:\(Fixture.temporaryDatabase())"
        let replayed = try await run(
            ["replay", "--redis", fixture.server.url, "--partitions", "2", "--database", database],
            environment: ["COUPON_BATCH_SIZE": "3"])
        #expect(replayed.status == 0, "\(replayed.output)")
        #expect(replayed.output.contains("replayed 11 events"))
    }

    /// `coupon audit` as a script would use it: JSON (the HTTP shapes), CSV, a table, from the
    /// archive and from the log alike.
    @Test(arguments: TestEngine.servers)
    func auditQueriesPrintJSONCSVAndTablesAndBothSourcesAgree(engine: TestEngine) async throws {
        let fixture = try await Fixture()
        let coupon = try await fixture.race(quantity: 20, users: 30, prefix: "cli")
        let database = try await engine.freshDatabase()
        let options = ["--redis", fixture.server.url, "--partitions", "2", "--database", database]
        #expect(try await run(["replay"] + options).status == 0)
        let id = coupon.description

        func json(_ arguments: [String]) async throws -> Any {
            let answer = try await run(["audit"] + arguments + options + ["--format", "json"])
            #expect(answer.status == 0, "\(answer.output)")
            return try JSONSerialization.jsonObject(with: Data(answer.output.utf8))
        }
        for query in [["winners", "--coupon", id], ["timeline", "--coupon", id], ["user", "--user", "cli-3"]] {
            let archive = try await json(query)
            let log = try await json(query + ["--source", "log"])
            #expect((archive as? NSArray)?.isEqual(to: log as? [Any] ?? []) == true, "\(query)")
        }
        let winners = try #require(
            try await json(["winners", "--coupon", id, "--from-seq", "3", "--to-seq", "7"]) as? [[String: Any]])
        #expect(winners.map { $0["seq"] as? Int } == [3, 4, 5, 6, 7])
        let timeline = try #require(try await json(["timeline", "--coupon", id, "--limit", "4"]) as? [[String: Any]])
        #expect(timeline.count == 4)
        #expect(timeline.first?["type"] as? String == "CouponDefined")
        let rate = try #require(try await json(["rate", "--coupon", id, "--bucket", "1m"]) as? [String: Any])
        #expect(rate["soldOutAt"] is String)

        let csv = try await run(["audit", "winners", "--coupon", id, "--format", "csv"] + options)
        let lines = csv.output.split(separator: "\n")
        #expect(lines.first == "seq,userId,eventId,issuedAt")
        #expect(lines.count == 21)
        let table = try await run(["audit", "winners", "--coupon", id] + options)
        #expect(table.output.hasPrefix("seq  userId"), "\(table.output)")
        #expect(table.output.split(separator: "\n")[1].hasPrefix("---"))

        let missing = try await run(["audit", "rate", "--coupon", "987654321"] + options)
        #expect(missing.status == 1)
        #expect(missing.output.contains("no coupon 987654321"))
        #expect(try await run(["audit", "winners", "--coupon", id, "--format", "xml"] + options).status != 0)
    }

    /// `coupon audit verify` exits 0 clean, 1 on a mismatch (named in a sentence), 2 when it
    /// cannot check.
    @Test(arguments: TestEngine.servers)
    func auditVerifyExitsZeroOneOrTwo(engine: TestEngine) async throws {
        let fixture = try await Fixture(engine: engine)
        let coupon = try await withWorker(fixture) {
            let coupon = try await fixture.race(quantity: 20, users: 25, prefix: "verify")
            #expect(try await fixture.caughtUp(issues: 20))
            return coupon
        }
        let options = ["--redis", fixture.server.url, "--partitions", "2", "--database", fixture.database]
        let clean = try await run(["audit", "verify"] + options)
        #expect(clean.status == 0, "\(clean.output)")
        #expect(clean.output.contains("clean"))
        #expect(clean.output.contains("coupon \(coupon): log 20, Redis 20, archive 20, coupon_issues 20"))

        try Table.execute(fixture.database, "DELETE FROM coupon_issues WHERE seq = 3")
        let damaged = try await run(["audit", "verify", "--coupon", coupon.description] + options)
        #expect(damaged.status == 1)
        #expect(damaged.output.contains("coupon \(coupon): seq 3 (user"), "\(damaged.output)")
        #expect(damaged.output.contains("is in the log and Redis but missing from coupon_issues"))
        let json = try await run(["audit", "verify", "--format", "json"] + options)
        #expect(json.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(report["clean"] as? Bool == false)
        #expect((report["mismatches"] as? [String])?.count == 1)

        fixture.server.stop()
        let down = try await run(["audit", "verify"] + options)
        #expect(down.status == 2)
        #expect(down.output.contains("could not check"))
    }
}
