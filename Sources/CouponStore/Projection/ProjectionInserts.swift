/// Every INSERT the projection makes, one per table (each skips a row whose key is taken): the
/// store writes through them, and the benchmarks' yardstick writes the same rows through them.
public enum ProjectionInserts {
    public static let archive = RowInsert(
        table: "coupon_events",
        columns: [
            "partition_no", "event_id", "type", "coupon_id", "user_id", "seq", "payload", "occurred_at", "event_ms",
            "event_seq",
        ])
    public static let definitions = RowInsert(
        table: "coupons",
        columns: [
            "id", "name", "total_quantity", "issue_starts_at", "issue_ends_at", "defined_event_id", "defined_at",
        ])
    public static let issues = RowInsert(
        table: "coupon_issues", columns: ["coupon_id", "user_id", "seq", "event_id", "issued_at"])
    /// A partition's progress row before its first batch: `0-0`, nothing projected yet.
    static let progress = RowInsert(
        table: "projection_progress", columns: ["partition_no", "last_event_id", "updated_at"])
    static let deployment = RowInsert(
        table: "deployment", columns: ["id", "generation", "partition_count", "recorded_at"])
}
