import CouponCore

/// The SQL of the projection's reads, the same on every engine (plain `?` parameters).
enum ProjectionQueries {
    static let timeline = """
        SELECT partition_no, event_id, type, coupon_id, user_id, seq, occurred_at FROM coupon_events
        WHERE coupon_id = ? AND (event_ms, event_seq) > (?, ?)
        ORDER BY event_ms, event_seq LIMIT ?
        """
    static let winners = """
        SELECT seq, user_id, event_id, issued_at FROM coupon_issues
        WHERE coupon_id = ? AND seq >= ? AND seq <= ? ORDER BY seq LIMIT ?
        """
    static let user = """
        SELECT coupon_id, seq, event_id, issued_at FROM coupon_issues WHERE user_id = ? ORDER BY coupon_id
        """
    /// The columns `definition(from:)` reads, in its order.
    static let definitionColumns = "id, name, total_quantity, issue_starts_at, issue_ends_at, defined_at"
    static let definition = "SELECT \(definitionColumns) FROM coupons WHERE id = ?"

    static func definition(from row: some SQLRow) throws -> CouponEvent.Defined {
        CouponEvent.Defined(
            coupon: try CouponID(row.int64(0)), name: row.text(1) ?? "", total: row.int64(2), startsAt: row.int64(3),
            endsAt: row.int64(4), at: row.int64(5))
    }
}
