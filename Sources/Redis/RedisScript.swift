import Synchronization

/// A Lua script run by SHA. The SHA comes from `SCRIPT LOAD` on first use; if Redis answers
/// NOSCRIPT (restarted, or `SCRIPT FLUSH`), the call is repeated as `EVAL` with the source,
/// which runs it and puts it back in the cache in one round trip.
public final class RedisScript: Sendable {
    public let source: String
    private let sha = Mutex<String?>(nil)

    public init(_ source: String) {
        self.source = source
    }

    public func run(on client: some RedisSending, keys: [String], arguments: [String]) async throws -> RedisReply {
        let known = sha.withLock { $0 }
        let digest: String
        if let known {
            digest = known
        } else {
            guard let loaded = try await client.send(.scriptLoad(source)).string else {
                throw RedisError(.unexpectedReply, "SCRIPT LOAD did not answer a SHA")
            }
            sha.withLock { $0 = loaded }
            digest = loaded
        }
        do {
            return try await client.send(.evalsha(digest, keys: keys, arguments: arguments))
        } catch let error as RedisError where error.isNoScript {
            return try await client.send(.eval(source, keys: keys, arguments: arguments))
        }
    }
}
