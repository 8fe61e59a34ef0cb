import ArgumentParser
import CouponCore
import CouponLedger
import CouponStore
import Foundation
import Redis

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Initialise the deployment in Redis: partition count and generation keys (once).",
        discussion: """
            Refuses when the projection database already holds a deployment that Redis does not: \
            Redis lost its data, and a new deployment would issue every coupon again. Run \
            `coupon recover` then.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var database: DatabaseOption

    func run() async throws {
        _ = common.makeLogger(label: "coupon")
        let client = RedisClient(configuration: try common.redisConfiguration())
        defer { client.close() }
        let partitioning = try common.partitioning()
        let url = try database.url()
        if let store = try await ProjectionStores.openExisting(url) {
            let redisGeneration = try await client.send(.get(Partitioning.generationKey(0))).string
            let recorded = try await store.recordedDeployment()
            let archived = try await store.archivedEventCount()
            if redisGeneration == nil, recorded != nil || archived > 0 {
                throw InitRefused(
                    "\(url) holds a projected deployment (\(recorded?.description ?? "not recorded"), \(archived) "
                        + "archived events) that Redis does not: Redis lost its data. `coupon init` would start a new "
                        + "deployment and issue every coupon again. Run `coupon recover --database \(url)` instead.")
            }
            if let redisGeneration, let recorded, recorded.generation != redisGeneration {
                throw InitRefused(
                    "\(url) belongs to deployment \(recorded), but Redis holds generation \(redisGeneration): "
                        + "use the database of that deployment, or a new one")
            }
        }
        let state = try await RedisDeployment(client: client).initialise(partitioning)
        let verb = state.created ? "initialised" : "already initialised"
        print("\(verb): \(state.partitions) partition(s), generation \(state.generation)")
        if client.isCluster == true { try await printPlacement(client, partitioning) }
    }

    /// On a cluster: which master serves which partition (each partition's keys share one slot).
    private func printPlacement(_ client: RedisClient, _ partitioning: Partitioning) async throws {
        var byMaster: [String: [Int]] = [:]
        for p in partitioning.all {
            let slot = HashSlot.of(Partitioning.eventsKey(p))
            let master = try await client.master(ofSlot: slot).map(\.description) ?? "no master"
            byMaster[master, default: []].append(p)
            print("partition \(p): slot \(slot) on \(master)")
        }
        let counts = byMaster.values.map(\.count)
        if let most = counts.max(), let least = counts.min(), most > least {
            print(
                "\(byMaster.count) master(s) serve \(least)–\(most) partitions each: with P ≥ 16 the load spreads "
                    + "more evenly (P is fixed once initialised)")
        }
    }
}

struct InitRefused: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
