import CouponCore

/// Audit queries over the archive, on the read connection. Log order comes from the numeric
/// `(event_ms, event_seq)` columns (migration 0002), never from the text of the event id.
extension SQLProjectionStore {
    public func timeline(coupon: CouponID, after: StreamID?, limit: Int) async throws -> [AuditEvent] {
        try await reads.perform { connection in
            var events: [AuditEvent] = []
            let (ms, seq) = after.map { (Int64(bitPattern: $0.millis), Int64(bitPattern: $0.sequence)) } ?? (-1, -1)
            try connection.query(
                ProjectionQueries.timeline,
                [.integer(coupon.value), .integer(ms), .integer(seq), .integer(Int64(limit))]
            ) { row in
                guard let id = row.text(1).flatMap({ StreamID($0) }) else {
                    throw StoreError.corrupt(
                        "coupon_events holds an event id that is not <ms>-<n>: \(row.text(1) ?? "NULL")")
                }
                events.append(
                    AuditEvent(
                        partition: Int(row.int64(0)), id: id, type: row.text(2) ?? "",
                        coupon: try CouponID(row.int64(3)),
                        user: row.isNull(4) ? nil : row.text(4), seq: row.isNull(5) ? nil : row.int64(5),
                        at: row.int64(6)))
            }
            return events
        }
    }

    public func winners(coupon: CouponID, fromSeq: Int64, toSeq: Int64?, limit: Int?) async throws -> [Issuance] {
        try await reads.perform { connection in
            var winners: [Issuance] = []
            try connection.query(
                ProjectionQueries.winners,
                [.integer(coupon.value), .integer(fromSeq), .integer(toSeq ?? .max), .integer(Int64(limit ?? Int.max))]
            ) { row in
                winners.append(
                    Issuance(
                        couponId: coupon, userId: try UserID(row.text(1) ?? ""), seq: row.int64(0),
                        eventId: row.text(2) ?? "", issuedAt: row.int64(3)))
            }
            return winners
        }
    }

    public func issuances(user: UserID) async throws -> [Issuance] {
        try await reads.perform { connection in
            var held: [Issuance] = []
            try connection.query(ProjectionQueries.user, [.text(user.value)]) { row in
                held.append(
                    Issuance(
                        couponId: try CouponID(row.int64(0)), userId: user, seq: row.int64(1),
                        eventId: row.text(2) ?? "",
                        issuedAt: row.int64(3)))
            }
            return held
        }
    }

    public func coupons(activeFrom from: Int64, to: Int64, limit: Int) async throws -> [CouponEvent.Defined] {
        try await reads.perform { connection in
            var found: [CouponEvent.Defined] = []
            try connection.query(
                """
                SELECT \(ProjectionQueries.definitionColumns) FROM coupons
                WHERE issue_ends_at > ? AND issue_starts_at < ? ORDER BY id DESC LIMIT ?
                """, [.integer(from), .integer(to), .integer(Int64(limit))]
            ) { row in found.append(try ProjectionQueries.definition(from: row)) }
            return found
        }
    }

    public func projectedCoupons() async throws -> [CouponID] {
        try await reads.perform { connection in
            var coupons: [CouponID] = []
            try connection.query("SELECT id FROM coupons ORDER BY id") { row in
                coupons.append(try CouponID(row.int64(0)))
            }
            return coupons
        }
    }

    public func definition(coupon: CouponID) async throws -> CouponEvent.Defined? {
        try await reads.perform { connection in
            var found: CouponEvent.Defined?
            try connection.query(ProjectionQueries.definition, [.integer(coupon.value)]) { row in
                found = try ProjectionQueries.definition(from: row)
            }
            return found
        }
    }
}
