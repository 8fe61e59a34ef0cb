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
        let digest = try await digest(on: client)
        do {
            return try await client.send(.evalsha(digest, keys: keys, arguments: arguments))
        } catch let error as RedisError where error.isNoScript {
            return try await client.send(.eval(source, keys: keys, arguments: arguments))
        }
    }

    /// Runs a script written for many requests (see `RedisScriptCall`) for one request, combined
    /// with whatever calls of the same group wait beside it; answers this request's element.
    public func run(
        on client: RedisClient, sharedKeys: [String], keys: [String], arguments: [String]
    ) async throws -> RedisReply {
        let call = RedisScriptCall(
            digest: try await digest(on: client), sharedKeys: sharedKeys, keys: keys, arguments: arguments)
        do {
            return try await client.send(call)
        } catch let error as RedisError where error.isNoScript {
            return try RedisScriptCall.element(ofAlone: try await client.send(call.evalCommand(source: source)))
        }
    }

    private func digest(on client: some RedisSending) async throws -> String {
        if let known = sha.withLock({ $0 }) { return known }
        guard let loaded = try await client.send(.scriptLoad(source)).string else {
            throw RedisError(.unexpectedReply, "SCRIPT LOAD did not answer a SHA")
        }
        sha.withLock { $0 = loaded }
        return loaded
    }
}
