import CouponCore

/// One event's rows: its archive row, and its coupon or issuance row.
struct ProjectionRows {
    let logged: LoggedEvent
    let archive: [SQLValue]
    let definition: [SQLValue]?
    let issue: [SQLValue]?

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
