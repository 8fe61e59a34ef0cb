extension RedisCommand {
    /// Which argument is the command's first key, by the command's name: Redis Cluster sends a
    /// command to the master that owns that key's slot. nil: the command has no key (PING, INFO,
    /// SCRIPT, CLUSTER, …) and any node may answer it.
    ///
    /// Every command this service sends is listed; a command not listed here is sent as keyless,
    /// and a wrong guess is corrected by Redis (`MOVED`), never by a wrong answer.
    static func firstKeyIndex(in words: [String]) -> Int? {
        guard let name = words.first?.uppercased() else { return nil }
        switch name {
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL":
            return words.count > 3 && (Int(words[2]) ?? 0) > 0 ? 3 : nil
        case "XREADGROUP", "XREAD":
            guard let streams = words.firstIndex(where: { $0.uppercased() == "STREAMS" }), streams + 1 < words.count
            else { return nil }
            return streams + 1
        case "XGROUP", "XINFO", "OBJECT":
            return words.count > 2 ? 2 : nil
        case "GET", "SET", "SETNX", "DEL", "EXISTS", "INCR", "TYPE", "EXPIRE", "PEXPIRE", "TTL", "PTTL", "HGET", "HSET",
            "HMGET", "HLEN", "HSCAN", "HGETALL", "HDEL", "HEXISTS", "XADD", "XLEN", "XRANGE", "XREVRANGE", "XACK",
            "XCLAIM", "XAUTOCLAIM", "XPENDING", "XDEL", "XTRIM", "LLEN", "LRANGE", "RPUSH", "LPUSH", "DUMP", "RESTORE":
            return words.count > 1 ? 1 : nil
        default:
            return nil
        }
    }

    /// The key the command is routed by, if any (the arguments decoded once).
    public var routingKey: String? {
        let words = arguments
        return Self.firstKeyIndex(in: words).map { words[$0] }
    }
}
