/// Anything that sends a command and waits for its reply: the pool, or one connection of its own.
public protocol RedisSending: Sendable {
    func send(_ command: RedisCommand) async throws -> RedisReply
}

extension RedisClient: RedisSending {}
extension RedisConnection: RedisSending {}
