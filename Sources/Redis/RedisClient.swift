import Logging
import ServiceLifecycle

/// A small pool of pipelined connections. Concurrent callers spread over the connections, and
/// each connection batches whatever its callers queued, so throughput grows with concurrency.
///
/// Blocking commands (`XREADGROUP … BLOCK`) must not share these connections: they would hold up
/// every command pipelined behind them. Give such a reader a `RedisConnection` of its own.
public final class RedisClient: Sendable, Service {
    public let configuration: RedisConfiguration
    private let connections: [RedisConnection]

    public init(configuration: RedisConfiguration, logger: Logger = Logger(label: "redis")) {
        self.configuration = configuration
        self.connections = (0..<max(1, configuration.poolSize)).map {
            RedisConnection(configuration: configuration, name: "redis-\($0)", logger: logger)
        }
    }

    /// Sends one command on the least busy connection.
    public func send(_ command: RedisCommand) async throws -> RedisReply {
        var chosen = connections[0]
        var depth = chosen.depth
        for connection in connections.dropFirst() where depth > 0 {
            let candidate = connection.depth
            if candidate < depth { (chosen, depth) = (connection, candidate) }
        }
        return try await chosen.send(command)
    }

    public func close() {
        for connection in connections { connection.close() }
    }

    /// Runs until graceful shutdown, then closes the connections: as a service it outlives the
    /// services listed after it in the group, which shut down first.
    public func run() async throws {
        try? await gracefulShutdown()
        close()
    }
}
