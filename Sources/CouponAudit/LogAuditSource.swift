import CouponCore
import CouponLedger
import Redis

/// Audit queries straight from the Redis streams, the source of truth: every answer is a scan of
/// the partition's log (all partitions for a user), so it is slower than the archive and needs no
/// projection at all. Entries that do not decode are passed over (they are the dead stream's
/// business), as replay does.
public struct LogAuditSource: AuditSource {
    public let client: RedisClient
    public let partitioning: Partitioning
    /// Entries per XRANGE.
    public let chunk: Int

    public init(client: RedisClient, partitioning: Partitioning, chunk: Int = 10_000) {
        self.client = client
        self.partitioning = partitioning
        self.chunk = chunk
    }

    public func timeline(coupon: CouponID, after: StreamID?, limit: Int) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        try await scan(partitioning.partition(of: coupon), after: after) { logged in
            if logged.event.coupon == coupon { events.append(AuditEvent(logged)) }
            return events.count < limit
        }
        return events
    }

    public func winners(coupon: CouponID, fromSeq: Int64, toSeq: Int64?, limit: Int?) async throws -> [Issuance] {
        var found: [Issuance] = []
        try await scan(partitioning.partition(of: coupon), after: nil) { logged in
            if case .issued(let issued) = logged.event, issued.coupon == coupon, issued.seq >= fromSeq,
                issued.seq <= toSeq ?? .max
            {
                found.append(Issuance(logged: logged, issued))
            }
            return true
        }
        found.sort { $0.seq < $1.seq }
        return limit.map { Array(found.prefix($0)) } ?? found
    }

    public func issuances(user: UserID) async throws -> [Issuance] {
        var found: [Issuance] = []
        for p in partitioning.all {
            try await scan(p, after: nil) { logged in
                if case .issued(let issued) = logged.event, issued.user == user {
                    found.append(Issuance(logged: logged, issued))
                }
                return true
            }
        }
        return found.sorted { $0.couponId < $1.couponId }
    }

    public func definition(coupon: CouponID) async throws -> CouponEvent.Defined? {
        var found: CouponEvent.Defined?
        try await scan(partitioning.partition(of: coupon), after: nil) { logged in
            if case .defined(let defined) = logged.event, defined.coupon == coupon { found = defined }
            return found == nil
        }
        return found
    }

    /// Visits a partition's decodable entries after `after` in log order until `visit` says stop.
    func scan(_ p: Int, after: StreamID?, _ visit: (LoggedEvent) throws -> Bool) async throws {
        let key = Partitioning.eventsKey(p)
        var cursor = after?.description ?? "-"
        while true {
            let entries = try RedisStreamEntry.parseList(
                try await client.send(.xrange(key, after: cursor, count: chunk)))
            for entry in entries {
                guard let logged = try? entry.loggedEvent(partition: p) else { continue }
                if try !visit(logged) { return }
            }
            guard let last = entries.last, entries.count == chunk else { return }
            cursor = last.id
        }
    }
}

extension Issuance {
    fileprivate init(logged: LoggedEvent, _ issued: CouponEvent.Issued) {
        self.init(
            couponId: issued.coupon, userId: issued.user, seq: issued.seq, eventId: logged.id.description,
            issuedAt: issued.at)
    }
}
