import ArgumentParser
import CouponLedger
import CouponStore
import CouponWorker
import Foundation
import Redis
import Synchronization

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild every projection table from the log alone, into a database (fresh or not).",
        discussion: """
            Reads every partition's stream from the start and applies it through the workers' own
            projection code. Replaying over a database that already holds everything changes nothing,
            so a blue/green rebuild is: replay into NEW, point the service at NEW, replay into NEW
            once more to pick up what was issued in between.
            """)

    @OptionGroup var common: CommonOptions

    @OptionGroup var database: DatabaseOption

    @Option(help: "Events per read and per transaction (env COUPON_BATCH_SIZE; default 10000 for replay).")
    var batchSize: Int = OptionEnvironment.int("COUPON_BATCH_SIZE", default: 10_000)

    func validate() throws { try ProjectionOptions.checkBatchSize(batchSize) }

    func run() async throws {
        let logger = common.makeLogger(label: "coupon-replay")
        let url = try database.url()
        let client = RedisClient(configuration: try common.redisConfiguration(), logger: logger)
        defer { client.close() }
        let partitioning = try common.partitioning()
        try await RedisDeployment(client: client).verify(partitioning)
        let store = try await ProjectionStores.open(url)
        _ = try await store.migrate()
        let terminal = isatty(STDERR_FILENO) == 1
        let lastReport = Mutex(ContinuousClock.now)
        let replayer = Replayer(
            client: client, store: store, partitioning: partitioning, batchSize: batchSize, logger: logger)
        let done = try await replayer.run { progress in
            // On a terminal: one line redrawn in place; in a log: a line every 5 seconds.
            let now = ContinuousClock.now
            let due = lastReport.withLock { last in
                guard now - last >= (terminal ? .milliseconds(200) : .seconds(5)) else { return false }
                last = now
                return true
            }
            guard due else { return }
            let rate = progress.eventsPerSecond
            let left = rate > 0 ? Double(progress.total - progress.eventsRead) / rate : 0
            let line = String(
                format: "replay: %d of %d events, %.0f events/s, %.0f s left", progress.eventsRead, progress.total,
                rate, left)
            FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        let seconds = done.elapsed.inSeconds
        print(
            String(
                format:
                    "replayed %d events into %@: %d new, %d rows written, %d skipped (undecodable), %.2f s, %.0f events/s",
                done.eventsRead, url.description, done.applied, done.rowsWritten, done.skipped, seconds,
                done.eventsPerSecond))
    }
}
