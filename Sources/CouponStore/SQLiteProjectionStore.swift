import CouponCore
import Foundation

/// The projection in one SQLite file (WAL mode; several processes may share it).
///
/// Two connections, each on its own queue: the writer applies batches; lookups and audit queries
/// read on the other, so they never wait behind a batch (WAL lets readers run beside the writer).
public final class SQLiteProjectionStore: ProjectionStore {
    public let database: SQLiteDatabase
    let reads: SQLiteDatabase

    public init(path: String) async throws {
        database = try await SQLiteDatabase(path: path, label: "projection")
        reads = try await SQLiteDatabase(path: path, label: "projection-reads")
    }

    public func migrate() async throws -> [Int64] {
        try await database.perform { try Migrator().migrate($0) }
    }

    public func apply(_ events: [LoggedEvent], partition: Int) async throws -> ProjectionResult {
        try await database.perform { try SQLiteProjectionStore.apply(events, partition: partition, on: $0) }
    }

    public func contains(partition: Int, eventId: StreamID) async throws -> Bool {
        try await database.perform { connection in
            var found = false
            try connection.query(
                "SELECT 1 FROM coupon_events WHERE partition_no = ?1 AND event_id = ?2",
                [.integer(Int64(partition)), .text(eventId.description)]
            ) { _ in found = true }
            return found
        }
    }

    public func issuance(coupon: CouponID, user: UserID) async throws -> Issuance? {
        try await reads.perform { connection in
            var found: Issuance?
            try connection.query(
                "SELECT seq, event_id, issued_at FROM coupon_issues WHERE coupon_id = ?1 AND user_id = ?2",
                [.integer(coupon.value), .text(user.value)]
            ) { row in
                found = Issuance(
                    couponId: coupon, userId: user, seq: row.int64(0), eventId: row.text(1) ?? "",
                    issuedAt: row.int64(2))
            }
            return found
        }
    }

    static let insertEvent: StaticString = """
        INSERT INTO coupon_events
            (partition_no, event_id, type, coupon_id, user_id, seq, payload, occurred_at, event_ms, event_seq)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING
        """
    static let insertCoupon: StaticString = """
        INSERT INTO coupons (id, name, total_quantity, issue_starts_at, issue_ends_at, defined_event_id, defined_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING
        """
    static let insertIssue: StaticString = """
        INSERT INTO coupon_issues (coupon_id, user_id, seq, event_id, issued_at)
        VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING
        """
    static let readArchived = "SELECT type, payload FROM coupon_events WHERE partition_no = ?1 AND event_id = ?2"
    static let readProgress = "SELECT last_event_id FROM projection_progress WHERE partition_no = ?1"
    static let writeProgress: StaticString = """
        INSERT INTO projection_progress (partition_no, last_event_id, updated_at) VALUES (?1, ?2, ?3)
        ON CONFLICT (partition_no) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at
        """

    /// The projection itself; blocking, on the database's queue. The archive row decides whether
    /// an event is new: it commits together with the event's other rows, so "archived" means
    /// "fully applied", and an event seen again is skipped whole.
    static func apply(_ events: [LoggedEvent], partition: Int, on connection: SQLiteConnection) throws
        -> ProjectionResult
    {
        guard let last = events.map(\.id).max() else { return ProjectionResult() }
        return try connection.transaction {
            var result = ProjectionResult()
            for logged in events {
                let archived = try connection.run(
                    insertEvent,
                    [
                        .integer(Int64(partition)), .text(logged.id.description), .text(logged.event.type),
                        .integer(logged.event.coupon.value), .optional(logged.issuedUser), .optional(logged.issuedSeq),
                        .text(logged.payloadJSON), .integer(logged.event.occurredAt),
                        .integer(Int64(bitPattern: logged.id.millis)), .integer(Int64(bitPattern: logged.id.sequence)),
                    ])
                guard archived == 1 else {
                    try checkArchivedCopy(of: logged, partition: partition, on: connection)
                    continue
                }
                result.applied += 1
                result.rowsWritten += 1
                let inserted: Int
                switch logged.event {
                case .defined(let defined):
                    inserted = try connection.run(
                        insertCoupon,
                        [
                            .integer(defined.coupon.value), .text(defined.name), .integer(defined.total),
                            .integer(defined.startsAt), .integer(defined.endsAt), .text(logged.id.description),
                            .integer(defined.at),
                        ])
                case .issued(let issued):
                    inserted = try connection.run(
                        insertIssue,
                        [
                            .integer(issued.coupon.value), .text(issued.user.value), .integer(issued.seq),
                            .text(logged.id.description), .integer(issued.at),
                        ])
                }
                guard inserted == 1 else {
                    throw ProjectionConflict(
                        partition: partition, eventId: logged.id,
                        detail: "a different event already holds this \(logged.event.type) row")
                }
                result.rowsWritten += 1
            }
            // Progress only moves forward, so replaying old events over a full database leaves it
            // as it was.
            var current: StreamID?
            try connection.query(readProgress, [.integer(Int64(partition))]) { row in
                current = row.text(0).flatMap { StreamID($0) }
            }
            if current.map({ $0 < last }) ?? true {
                result.rowsWritten += try connection.run(
                    writeProgress,
                    [
                        .integer(Int64(partition)), .text(last.description),
                        .integer(Int64(Date().timeIntervalSince1970 * 1000)),
                    ])
            }
            FaultPoint.beforeCommit.hit()
            return result
        }
    }
}

extension SQLiteProjectionStore {
    /// An event seen again must be the one archived under its id, field for field: a different
    /// event under the same id (a log rebuilt or recovered wrongly) is a conflict, never skipped.
    static func checkArchivedCopy(of logged: LoggedEvent, partition: Int, on connection: SQLiteConnection) throws {
        var archived: (type: String, payload: String)?
        try connection.query(readArchived, [.integer(Int64(partition)), .text(logged.id.description)]) { row in
            archived = (row.text(0) ?? "", row.text(1) ?? "")
        }
        guard let archived, archived.type == logged.event.type, archived.payload == logged.payloadJSON else {
            throw ProjectionConflict(
                partition: partition, eventId: logged.id,
                detail:
                    "the archive holds a different event under this id: \(archived?.payload.prefix(300) ?? "nothing")")
        }
    }
}

extension LoggedEvent {
    fileprivate var issuedUser: String? {
        if case .issued(let issued) = event { return issued.user.value }
        return nil
    }

    fileprivate var issuedSeq: Int64? {
        if case .issued(let issued) = event { return issued.seq }
        return nil
    }
}
