extension RedisCommand {
    /// Creates the consumer group at the start of the log (and the stream if missing).
    public static func xgroupCreate(_ key: String, group: String) -> RedisCommand {
        RedisCommand("XGROUP", "CREATE", key, group, "0", "MKSTREAM")
    }

    /// Reads for a consumer: `after` is `>` for new entries, or an id to re-read its own pending ones.
    public static func xreadgroup(
        _ key: String, group: String, consumer: String, count: Int, block: Duration?, after: String
    ) -> RedisCommand {
        var words = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(count)]
        if let block { words += ["BLOCK", String(block.milliseconds)] }
        return RedisCommand(words + ["STREAMS", key, after])
    }

    public static func xack(_ key: String, group: String, ids: [String]) -> RedisCommand {
        RedisCommand(["XACK", key, group] + ids)
    }

    /// Takes over (ids only, delivery counts unchanged) entries idle for at least `minIdle` on any
    /// consumer of the group.
    public static func xautoclaim(
        _ key: String, group: String, consumer: String, minIdle: Duration, start: String, count: Int
    ) -> RedisCommand {
        RedisCommand(
            "XAUTOCLAIM", key, group, consumer, String(minIdle.milliseconds), start, "COUNT", String(count), "JUSTID")
    }

    /// Re-delivers the given entries to `consumer` (their delivery count goes up by one).
    public static func xclaim(_ key: String, group: String, consumer: String, minIdle: Duration, ids: [String])
        -> RedisCommand
    {
        RedisCommand(["XCLAIM", key, group, consumer, String(minIdle.milliseconds)] + ids)
    }

    /// Renews `consumer`'s claim on entries it holds: their idle time restarts, their delivery
    /// counts do not change (JUSTID), so no other worker takes them over while this one works.
    public static func xclaimRenew(_ key: String, group: String, consumer: String, ids: [String]) -> RedisCommand {
        RedisCommand(["XCLAIM", key, group, consumer, "0"] + ids + ["JUSTID"])
    }

    /// The pending entries of one consumer idle for at least `minIdle`, with their delivery counts.
    public static func xpending(_ key: String, group: String, consumer: String, minIdle: Duration, count: Int)
        -> RedisCommand
    {
        RedisCommand(
            "XPENDING", key, group, "IDLE", String(minIdle.milliseconds), "-", "+", String(count), consumer)
    }

    /// Entries after `after` (exclusive), oldest first.
    public static func xrange(_ key: String, after: String, count: Int) -> RedisCommand {
        RedisCommand("XRANGE", key, after == "-" ? "-" : "(" + after, "+", "COUNT", String(count))
    }
}
