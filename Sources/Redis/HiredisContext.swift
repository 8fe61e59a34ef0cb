import CHiredis

#if canImport(Glibc)
    import Glibc
#endif

/// Owns one hiredis `redisContext`. Blocking and not thread-safe, like the context itself: only
/// the thread of the `RedisConnection` that created it ever touches it.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>
    /// Where hiredis writes each reply (see `coupon_tape` in the CHiredis shim).
    private let tape: UnsafeMutablePointer<coupon_tape>
    /// A tape grown past this by one large reply (a long XRANGE, say) is given back after it.
    private static let retainedTapeBytes = 1 << 20

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
        tape = .allocate(capacity: 1)
        tape.initialize(to: coupon_tape())
        coupon_tape_install(context, tape)
    }

    deinit {
        redisFree(context)  // before the tape: it calls the tape's functions
        free(tape.pointee.bytes)
        tape.deallocate()
    }

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

    /// Flushes pending output, then blocks for the next reply and decodes it from the tape.
    func readReply() throws(RedisError) -> RedisReply {
        tape.pointee.length = 0
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, raw != nil, tape.pointee.length >= 9 else {
            throw RedisError(.connectionLost, HiredisContext.errorString(context))
        }
        var reader = TapeReader(bytes: UnsafeRawBufferPointer(start: tape.pointee.bytes, count: tape.pointee.length))
        let reply = reader.next()
        if tape.pointee.capacity > HiredisContext.retainedTapeBytes {
            free(tape.pointee.bytes)
            (tape.pointee.bytes, tape.pointee.capacity) = (nil, 0)
        }
        return reply
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let text = raw.prefix { $0 != 0 }
            return text.isEmpty ? "error \(context.pointee.err)" : String(decoding: text, as: UTF8.self)
        }
    }
}

/// Reads the items `coupon_tape` wrote, in order: a type byte, an 8-byte value, a string's bytes.
private struct TapeReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    mutating func next() -> RedisReply {
        let type = Int32(bytes[offset])
        let value = bytes.loadUnaligned(fromByteOffset: offset + 1, as: Int64.self)
        offset += 9
        switch type {
        case REDIS_REPLY_STRING: return .bulk(text(count: Int(value)))
        case REDIS_REPLY_STATUS: return .status(text(count: Int(value)))
        case REDIS_REPLY_ERROR: return .error(text(count: Int(value)))
        case REDIS_REPLY_INTEGER: return .integer(value)
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(Int(value))
            for _ in 0..<value { elements.append(next()) }
            return .array(elements)
        default: return .null
        }
    }

    private mutating func text(count: Int) -> String {
        defer { offset += count }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]), as: UTF8.self)
    }
}

extension Duration {
    fileprivate var cTimeval: timeval {
        let (seconds, attoseconds) = components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
