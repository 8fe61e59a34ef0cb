import CouponCore
import Redis

/// Whether the projection holds the whole log, asked of Redis: every partition's consumer group
/// has been handed every event and holds none unacknowledged (its rows are committed). Cheap
/// enough to poll every few milliseconds, where counting the archive in SQL would cost the
/// workers being measured.
struct ProjectionCompletion {
    let client: RedisClient
    /// The partitions with events: a partition no coupon hashed to has no stream, and no group.
    let partitions: [Int]

    init(client: RedisClient, partitioning: Partitioning) async throws {
        self.client = client
        var filled: [Int] = []
        for p in partitioning.all where (try await client.send(.xlen(Partitioning.eventsKey(p))).int ?? 0) > 0 {
            filled.append(p)
        }
        partitions = filled
    }

    func isComplete() async throws -> Bool {
        for p in partitions {
            let groups = try await client.send(RedisCommand("XINFO", "GROUPS", Partitioning.eventsKey(p))).array ?? []
            guard let fields = groups.first?.array else { return false }
            var info: [String: RedisReply] = [:]
            for k in stride(from: 0, to: fields.count - 1, by: 2) {
                if let name = fields[k].string { info[name] = fields[k + 1] }
            }
            guard info["pending"]?.int == 0 else { return false }
            if let lag = info["lag"]?.int {
                guard lag == 0 else { return false }
            } else {
                // Redis cannot tell the lag (entries were deleted): compare the last delivered id.
                let last = try await client.send(
                    RedisCommand("XREVRANGE", Partitioning.eventsKey(p), "+", "-", "COUNT", "1"))
                let lastID = try RedisStreamEntry.parseList(last).first?.id
                guard lastID == nil || lastID == info["last-delivered-id"]?.string else { return false }
            }
        }
        return true
    }
}
