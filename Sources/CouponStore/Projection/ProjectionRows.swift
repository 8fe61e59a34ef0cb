import CouponCore

/// One event's rows: its archive row, and its coupon or issuance row.
struct ProjectionRows {
    let logged: LoggedEvent
    let archive: [SQLValue]
    let definition: [SQLValue]?
    let issue: [SQLValue]?

    static let archiveInsert = RowInsert(
        table: "coupon_events",
        columns: [
            "partition_no", "event_id", "type", "coupon_id", "user_id", "seq", "payload", "occurred_at", "event_ms",
            "event_seq",
        ])
    static let definitionInsert = RowInsert(
        table: "coupons",
        columns: [
            "id", "name", "total_quantity", "issue_starts_at", "issue_ends_at", "defined_event_id", "defined_at",
        ])
    static let issueInsert = RowInsert(
        table: "coupon_issues", columns: ["coupon_id", "user_id", "seq", "event_id", "issued_at"])
    /// A partition's progress row before its first batch: `0-0`, nothing projected yet.
    static let progressInsert = RowInsert(
        table: "projection_progress", columns: ["partition_no", "last_event_id", "updated_at"])

    init(_ logged: LoggedEvent, partition: Int) {
        self.logged = logged
        let id = SQLValue.text(logged.id.description)
        var user: SQLValue = .null
        var seq: SQLValue = .null
        switch logged.event {
        case .defined(let defined):
            definition = [
                .integer(defined.coupon.value), .text(defined.name), .integer(defined.total),
                .integer(defined.startsAt), .integer(defined.endsAt), id, .integer(defined.at),
            ]
            issue = nil
        case .issued(let issued):
            user = .text(issued.user.value)
            seq = .integer(issued.seq)
            definition = nil
            issue = [.integer(issued.coupon.value), user, seq, id, .integer(issued.at)]
        }
        archive = [
            .integer(Int64(partition)), id, .text(logged.event.type), .integer(logged.event.coupon.value), user, seq,
            .text(logged.payloadJSON), .integer(logged.event.occurredAt),
            .integer(Int64(bitPattern: logged.id.millis)), .integer(Int64(bitPattern: logged.id.sequence)),
        ]
    }
}
