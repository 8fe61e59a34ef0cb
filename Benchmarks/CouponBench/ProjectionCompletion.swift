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
    /// Events in the log when this was made, over every partition.
    let events: Int

    init(client: RedisClient, partitioning: Partitioning) async throws {
        self.client = client
        var filled: [Int] = []
        var events = 0
        for p in partitioning.all {
            let length = Int(try await client.send(.xlen(Partitioning.eventsKey(p))).int ?? 0)
            if length > 0 { filled.append(p) }
            events += length
        }
        partitions = filled
        self.events = events
    }

    func isComplete() async throws -> Bool {
        for p in partitions {
            let groups = RedisGroupInfo.parseList(
                try await client.send(RedisCommand("XINFO", "GROUPS", Partitioning.eventsKey(p))))
            guard let group = groups.first(where: { $0.name == Partitioning.projectionGroup }), group.pending == 0
            else {
                return false
            }
            if let lag = group.lag {
                guard lag == 0 else { return false }
            } else {
                // Redis cannot tell the lag (entries were deleted): compare the last delivered id.
                let last = try await client.send(
                    RedisCommand("XREVRANGE", Partitioning.eventsKey(p), "+", "-", "COUNT", "1"))
                let lastID = try RedisStreamEntry.parseList(last).first?.id
                guard lastID == nil || lastID == group.lastDeliveredID else { return false }
            }
        }
        return true
    }

    /// Polls `isComplete` every 20 ms; false if `timeout` seconds pass first (nil: no limit).
    func wait(timeout: Double? = nil) async throws -> Bool {
        let start = ContinuousClock.now
        while try await !isComplete() {
            if let timeout, seconds(since: start) >= timeout { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}
