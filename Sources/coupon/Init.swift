import ArgumentParser
import CouponLedger
import Redis

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Initialise the deployment in Redis: partition count and generation keys (once).")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        _ = common.makeLogger(label: "coupon")
        let client = RedisClient(configuration: try common.redisConfiguration())
        defer { client.close() }
        let state = try await RedisDeployment(client: client).initialise(try common.partitioning())
        let verb = state.created ? "initialised" : "already initialised"
        print("\(verb): \(state.partitions) partition(s), generation \(state.generation)")
    }
}
