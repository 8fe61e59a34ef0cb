import Foundation
import Redis

/// The Redis the tests share: the one `scripts/test` started (`COUPON_TEST_REDIS_URL`), or, when
/// the tests run without it (`swift test` alone), one started here for the whole process.
public enum TestRedis {
    private static let fallback = Task<RedisServer, any Error> {
        let server = try await RedisServer()
        // A static is never deinitialised: stop the server when the test process exits.
        fallbackPID = server.pid
        atexit { if fallbackPID > 0 { kill(fallbackPID, SIGKILL) } }
        return server
    }

    public static func sharedConfiguration() async throws -> RedisConfiguration {
        if let url = ProcessInfo.processInfo.environment["COUPON_TEST_REDIS_URL"], !url.isEmpty {
            return try RedisConfiguration(url: url)
        }
        return try await fallback.value.configuration
    }
}

nonisolated(unsafe) private var fallbackPID: Int32 = 0

extension RedisClient {
    /// Runs a command given as words, for test set-up and inspection.
    public func command(_ words: String...) async throws -> RedisReply {
        try await send(RedisCommand(words))
    }

    /// `DEBUG DIGEST`: one hash of the whole dataset, to prove that a request wrote nothing.
    public func digest() async throws -> String {
        try await command("DEBUG", "DIGEST").string ?? ""
    }
}
