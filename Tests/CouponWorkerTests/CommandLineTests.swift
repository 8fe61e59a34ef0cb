import CouponCore
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
        let server = try RedisServer()
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
        let server = try RedisServer()
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

    @Test func migrateAndReplayRunTwiceWithoutChange() async throws {
        let fixture = try await Fixture()
        try await fixture.race(quantity: 50, users: 80)
        let database = "sqlite:\(Fixture.temporaryDatabase())"
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
}
