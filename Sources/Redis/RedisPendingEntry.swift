/// One line of `XPENDING key group [IDLE ms] start end count [consumer]`.
public struct RedisPendingEntry: Sendable, Equatable {
    public let id: String
    public let consumer: String
    public let idleMilliseconds: Int64
    public let deliveries: Int64

    public static func parseList(_ reply: RedisReply) throws(RedisError) -> [RedisPendingEntry] {
        guard let rows = reply.array else { throw RedisError(.unexpectedReply, "expected XPENDING rows, got \(reply)") }
        return try rows.map { (row) throws(RedisError) -> RedisPendingEntry in
            guard let fields = row.array, fields.count == 4, let id = fields[0].string, let consumer = fields[1].string,
                let idle = fields[2].int, let deliveries = fields[3].int
            else { throw RedisError(.unexpectedReply, "malformed XPENDING row \(row)") }
            return RedisPendingEntry(id: id, consumer: consumer, idleMilliseconds: idle, deliveries: deliveries)
        }
    }
}
