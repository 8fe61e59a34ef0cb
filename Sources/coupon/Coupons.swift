import ArgumentParser
import CouponAudit
import CouponCore
import CouponLedger
import CouponServer
import Foundation
import Redis

struct Coupons: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Define and look up coupons.", subcommands: [Create.self, Show.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define a coupon; prints it as JSON.")

        @OptionGroup var common: CommonOptions
        @Option(help: "Display name.") var name: String
        @Option(help: "How many can be issued.") var quantity: Int64
        @Option(help: "Issuance start, ISO 8601 (default: now, on the Redis clock).") var starts: String?
        @Option(help: "Issuance end, ISO 8601 (default: start + 24 h).") var ends: String?

        func run() async throws {
            _ = common.makeLogger(label: "coupon")
            let draft: CouponDraft
            do {
                draft = try CouponDraft.parsing(name: name, quantity: quantity, startsAt: starts, endsAt: ends)
            } catch {
                throw ArgumentParser.ValidationError(error.message)
            }
            try await withLedger(common) { ledger in
                printJSON(CouponDTO(try await ledger.define(draft)))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a coupon with its issued count.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "Coupon id.") var id: String

        func run() async throws {
            _ = common.makeLogger(label: "coupon")
            let couponId: CouponID
            do { couponId = try CouponID(parsing: id) } catch {
                throw ArgumentParser.ValidationError(error.message)
            }
            try await withLedger(common) { ledger in
                guard let coupon = try await ledger.coupon(couponId) else {
                    throw ArgumentParser.ValidationError("no coupon \(couponId)")
                }
                printJSON(CouponDTO(coupon))
            }
        }
    }
}

func withLedger(_ common: CommonOptions, _ body: (RedisCouponLedger) async throws -> Void) async throws {
    let client = RedisClient(configuration: try common.redisConfiguration())
    defer { client.close() }
    let partitioning = try common.partitioning()
    try await RedisDeployment(client: client).verify(partitioning)
    try await body(RedisCouponLedger(client: client, partitioning: partitioning))
}

func printJSON(_ value: some Encodable) {
    if let text = try? AuditOutput.json(value, pretty: true) { print(text) }
}
