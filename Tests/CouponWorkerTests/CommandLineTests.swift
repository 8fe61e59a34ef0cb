import CouponCore
import Foundation
import Redis
import TestSupport
import Testing

/// The `coupon` executable as an operator runs it: exit codes, output, and nothing written when
/// it refuses.
@Suite struct CommandLineTests {
    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = try CouponProcess(arguments)
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
}
