import ArgumentParser
import CouponCore
import Foundation
import Redis

/// Waits until the running workers have projected the whole log (`ProjectionCompletion`) and
/// prints the seconds it waited; exits 1 if they have not within `--timeout`. For
/// `scripts/bench flash-sale`: how long after the load the tables held every event.
struct Projected: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "projected")
    @Option var redis: String
    @Option var partitions: Int = 4
    @Option(help: "Seconds to wait at most.") var timeout: Double = 60

    func run() async throws {
        let client = RedisClient(configuration: try RedisConfiguration(url: redis))
        defer { client.close() }
        let start = ContinuousClock.now
        let completion = try await ProjectionCompletion(
            client: client, partitioning: try Partitioning(count: partitions))
        guard try await completion.wait(timeout: timeout) else {
            FileHandle.standardError.write(Data("the projection did not catch up in \(timeout) s\n".utf8))
            throw ExitCode(1)
        }
        print(String(format: "%.2f", seconds(since: start)))
    }
}
