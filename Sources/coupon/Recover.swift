import ArgumentParser
import CouponCore
import CouponRecovery
import CouponStore
import CouponWorker
import Foundation
import Redis

struct Recover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild Redis from the database's archive after Redis lost its data.",
        discussion: """
            Writes the partition count, coupons, issued hashes, coupon-id counters, the streams with \
            their original ids, the projector group after the last entry, and the generation keys last \
            (the service answers 503 until then). Refuses when Redis still holds a deployment. After \
            Redis data loss the procedure is `recover`, never `init`.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var database: DatabaseOption

    @Flag(help: "Say what would be recovered, write nothing.") var dryRun = false

    func run() async throws {
        _ = common.makeLogger(label: "coupon-recover")
        let client = RedisClient(configuration: try common.redisConfiguration())
        defer { client.close() }
        let url = try database.url()
        guard let store = try await ProjectionStores.openExisting(url) else {
            throw RecoveryRefused("\(url) does not exist: there is nothing to recover from")
        }
        let recovery = Recovery(client: client, store: store)
        let identity = try await recovery.identity(partitions: try common.partitioning())
        let terminal = isatty(STDERR_FILENO) == 1
        let progress: @Sendable (String) -> Void = { line in
            if terminal { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
        }
        let started = ContinuousClock.now
        if dryRun {
            let plan = try await recovery.plan(identity, progress: progress)
            print(
                "dry run: would recover \(identity) from \(url): \(plan.coupons) coupons, \(plan.issuances) "
                    + "issuances, \(plan.events) events; nothing written")
            return
        }
        let done = try await recovery.run(identity, progress: progress)
        let seconds = (ContinuousClock.now - started).inSeconds
        print(
            String(
                format: "recovered %@ from %@: %d coupons, %d issuances, %d events in %.2f s (%.0f events/s); "
                    + "generation keys written: the service admits again",
                identity.description, url.description, done.coupons, done.issuances, done.events, seconds,
                seconds > 0 ? Double(done.events) / seconds : 0))
    }
}
