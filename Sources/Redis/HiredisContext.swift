import CHiredis

#if canImport(Glibc)
    import Glibc
#endif

/// Owns one hiredis `redisContext`. Blocking and not thread-safe, like the context itself: only
/// the thread of the `RedisConnection` that created it ever touches it.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects, authenticates and selects the database, or throws `connectionFailed`.
    convenience init(_ configuration: RedisConfiguration) throws(RedisError) {
        try self.init(
            host: configuration.host, port: configuration.port, connectTimeout: configuration.connectTimeout,
            commandTimeout: configuration.commandTimeout)
        var handshake: [RedisCommand] = []
        if let password = configuration.password {
            handshake.append(RedisCommand(["AUTH"] + (configuration.username.map { [$0] } ?? []) + [password]))
        }
        if configuration.database != 0 { handshake.append(RedisCommand("SELECT", String(configuration.database))) }
        for command in handshake {
            try append(command)
            if case .error(let message) = try readReply() {
                throw RedisError(.connectionFailed, "\(configuration.url): \(command.arguments[0]) refused: \(message)")
            }
        }
    }

    /// Connects, or throws `connectionFailed`.
    init(host: String, port: Int, connectTimeout: Duration, commandTimeout: Duration) throws(RedisError) {
        guard let context = redisConnectWithTimeout(host, Int32(port), connectTimeout.cTimeval) else {
            throw RedisError(.connectionFailed, "hiredis could not allocate a context")
        }
        if context.pointee.err != 0 {
            let message = HiredisContext.errorString(context)
            redisFree(context)
            throw RedisError(.connectionFailed, "\(host):\(port): \(message)")
        }
        redisSetTimeout(context, commandTimeout.cTimeval)
        redisEnableKeepAlive(context)
        self.context = context
    }

    deinit { redisFree(context) }

    /// Appends a command to the output buffer; nothing is sent until `readReply` flushes it.
    func append(_ command: RedisCommand) throws(RedisError) {
        var bytes = command.bytes
        if bytes.isEmpty { bytes = [0] }  // a valid base pointer even when every argument is empty
        let status = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            var offset = 0
            var argv = command.lengths.map { length -> UnsafePointer<CChar>? in
                defer { offset += length }
                return base.advanced(by: offset).assumingMemoryBound(to: CChar.self)
            }
            return command.lengths.withUnsafeBufferPointer { lengths in
                redisAppendCommandArgv(context, Int32(command.argumentCount), &argv, lengths.baseAddress)
            }
        }
        if status != REDIS_OK {
            throw RedisError(.connectionLost, HiredisContext.errorString(context))
        }
    }

    /// Flushes pending output, then blocks for the next reply and copies it into Swift.
    func readReply() throws(RedisError) -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
            throw RedisError(.connectionLost, HiredisContext.errorString(context))
        }
        defer { freeReplyObject(raw) }
        return HiredisContext.copy(raw.assumingMemoryBound(to: redisReply.self))
    }

    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulk(text(r))
        case REDIS_REPLY_STATUS:
            return .status(text(r))
        case REDIS_REPLY_ERROR:
            return .error(text(r))
        case REDIS_REPLY_INTEGER:
            return .integer(r.integer)
        case REDIS_REPLY_ARRAY:
            return .array((0..<r.elements).map { copy(r.element[$0]!) })
        default:
            return .null
        }
    }

    private static func text(_ r: redisReply) -> String {
        guard r.len > 0, let str = r.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: str, count: r.len), as: UTF8.self)
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let text = raw.prefix { $0 != 0 }
            return text.isEmpty ? "error \(context.pointee.err)" : String(decoding: text, as: UTF8.self)
        }
    }
}

extension Duration {
    fileprivate var cTimeval: timeval {
        let (seconds, attoseconds) = components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
