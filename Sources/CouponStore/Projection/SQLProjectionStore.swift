import CouponCore
import Foundation

/// The projection in a SQL database, written once for every engine (`SQLConnection`): one SQLite
/// file (WAL mode; several processes may share it), or a MariaDB/MySQL database shared by workers
/// on many machines.
///
/// Two connections, each on its own queue: the writer applies batches; lookups and audit queries
/// read on the other, so they never wait behind a batch.
public final class SQLProjectionStore<Connection: SQLConnection>: ProjectionStore {
    public let database: DatabaseQueue<Connection>
    let reads: DatabaseQueue<Connection>
    /// Partitions whose progress row the writer has made sure of; only touched on its queue.
    nonisolated(unsafe) private var progressRows = Set<Int>()

    public init(open: @escaping @Sendable () throws -> Connection) async throws {
        database = try await DatabaseQueue(label: "projection", open: open)
        reads = try await DatabaseQueue(label: "projection-reads", open: open)
    }

    public func migrate() async throws -> [Int64] {
        try await database.perform { try Migrator().migrate($0) }
    }

    public func apply(_ events: [LoggedEvent], partition: Int) async throws -> ProjectionResult {
        try await database.perform { connection in
            if !events.isEmpty && !self.progressRows.contains(partition) {
                try Self.ensureProgressRow(of: partition, on: connection)
                self.progressRows.insert(partition)
            }
            return try Self.apply(events, partition: partition, on: connection)
        }
    }

    public func contains(partition: Int, eventId: StreamID) async throws -> Bool {
        try await database.perform { connection in
            try !connection.rows(
                "SELECT 1 FROM coupon_events WHERE partition_no = ? AND event_id = ?",
                [.integer(Int64(partition)), .text(eventId.description)]
            ).isEmpty
        }
    }

    public func issuance(coupon: CouponID, user: UserID) async throws -> Issuance? {
        try await reads.perform { connection in
            var found: Issuance?
            try connection.query(
                "SELECT seq, event_id, issued_at FROM coupon_issues WHERE coupon_id = ? AND user_id = ?",
                [.integer(coupon.value), .text(user.value)]
            ) { row in
                found = Issuance(
                    couponId: coupon, userId: user, seq: row.int64(0), eventId: row.text(1) ?? "",
                    issuedAt: row.int64(2))
            }
            return found
        }
    }
}

/// The projection itself; blocking, on the writer's queue.
extension SQLProjectionStore {
    /// The archive row decides whether an event is new: it commits together with the event's
    /// other rows, so "archived" means "fully applied", and an event seen again is skipped whole.
    ///
    /// A batch is first written whole, each table in one `insert` (one round trip on MariaDB).
    /// If any of its rows was there already — a redelivery, a replay over a full database, a
    /// conflict — that transaction is rolled back and the batch is applied again in another: the
    /// archived copies of its events are read in a few queries and compared, and the events not
    /// archived are applied one by one, which names the event in conflict.
    static func apply(_ events: [LoggedEvent], partition: Int, on connection: Connection) throws
        -> ProjectionResult
    {
        guard let last = events.map(\.id).max() else { return ProjectionResult() }
        let rows = events.map { ProjectionRows($0, partition: partition) }
        do {
            return try connection.transaction {
                try applyAllNew(rows, partition: partition, last: last, on: connection)
            }
        } catch is NotAllNew {
            return try connection.transaction {
                try applyOneByOne(rows, partition: partition, last: last, on: connection)
            }
        }
    }

    /// Some row of the batch was already there: the batch must be applied event by event.
    private struct NotAllNew: Error {}

    private static func applyAllNew(_ rows: [ProjectionRows], partition: Int, last: StreamID, on connection: Connection)
        throws -> ProjectionResult
    {
        guard try connection.insert(ProjectionInserts.archive, rows.map(\.archive)) == rows.count else {
            throw NotAllNew()
        }
        let definitions = rows.compactMap(\.definition)
        let issues = rows.compactMap(\.issue)
        guard try connection.insert(ProjectionInserts.definitions, definitions) == definitions.count,
            try connection.insert(ProjectionInserts.issues, issues) == issues.count
        else { throw NotAllNew() }
        var result = ProjectionResult(applied: rows.count, rowsWritten: 2 * rows.count)
        result.rowsWritten += try advanceProgress(of: partition, to: last, on: connection)
        FaultPoint.beforeCommit.hit()
        return result
    }

    private static func applyOneByOne(
        _ rows: [ProjectionRows], partition: Int, last: StreamID, on connection: Connection
    ) throws -> ProjectionResult {
        var result = ProjectionResult()
        let archived = try archivedCopies(of: rows.map(\.logged.id), partition: partition, on: connection)
        for event in rows {
            if let copy = archived[event.logged.id] {
                try check(copy, of: event.logged, partition: partition)
                continue
            }
            guard try connection.insert(ProjectionInserts.archive, [event.archive]) == 1 else {
                try checkArchivedCopy(of: event.logged, partition: partition, on: connection)
                continue
            }
            result.applied += 1
            result.rowsWritten += 1
            let inserted =
                if let definition = event.definition {
                    try connection.insert(ProjectionInserts.definitions, [definition])
                } else {
                    try connection.insert(ProjectionInserts.issues, [event.issue ?? []])
                }
            guard inserted == 1 else {
                throw ProjectionConflict(
                    partition: partition, eventId: event.logged.id,
                    detail: "a different event already holds this \(event.logged.event.type) row")
            }
            result.rowsWritten += 1
        }
        result.rowsWritten += try advanceProgress(of: partition, to: last, on: connection)
        FaultPoint.beforeCommit.hit()
        return result
    }

    /// The partition's progress row exists before any batch's transaction reads it, in its own
    /// statement: locking a row that exists takes a lock on that row alone, where InnoDB would
    /// lock the gap around a missing one — and two workers holding gap locks deadlock as soon as
    /// both insert.
    static func ensureProgressRow(of partition: Int, on connection: Connection) throws {
        _ = try connection.insert(
            ProjectionInserts.progress, [[.integer(Int64(partition)), .text("0-0"), .integer(0)]])
    }

    /// Progress only moves forward, so replaying old events over a full database, or two workers
    /// finishing out of order, leave it at the newest event. Returns the rows written (0 or 1).
    private static func advanceProgress(of partition: Int, to last: StreamID, on connection: Connection) throws -> Int {
        var current: StreamID?
        try connection.query(
            "SELECT last_event_id FROM projection_progress WHERE partition_no = ?" + connection.dialect.lockingRead,
            [.integer(Int64(partition))]
        ) { row in current = row.text(0).flatMap { StreamID($0) } }
        guard current.map({ $0 < last }) ?? true else { return 0 }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if current == nil {
            // The row was removed after this writer made sure of it (a hand-edited table).
            return try connection.insert(
                ProjectionInserts.progress, [[.integer(Int64(partition)), .text(last.description), .integer(now)]])
        }
        return try connection.run(
            "UPDATE projection_progress SET last_event_id = ?, updated_at = ? WHERE partition_no = ?",
            [.text(last.description), .integer(now), .integer(Int64(partition))])
    }

    typealias ArchivedCopy = (type: String, payload: String)

    /// The archived copies of the batch's events, by id: a few `IN (…)` queries (`FixedChunks`),
    /// locking what they find.
    static func archivedCopies(of ids: [StreamID], partition: Int, on connection: Connection) throws
        -> [StreamID: ArchivedCopy]
    {
        var copies: [StreamID: ArchivedCopy] = [:]
        for chunk in FixedChunks.ranges(ids.count) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            try connection.query(
                "SELECT event_id, type, payload FROM coupon_events WHERE partition_no = ? AND event_id IN (\(marks))"
                    + connection.dialect.lockingRead,
                [.integer(Int64(partition))] + ids[chunk].map { .text($0.description) }
            ) { row in
                if let id = row.text(0).flatMap({ StreamID($0) }) {
                    copies[id] = (row.text(1) ?? "", row.text(2) ?? "")
                }
            }
        }
        return copies
    }

    /// An event seen again must be the one archived under its id, field for field: a different
    /// event under the same id (a log rebuilt or recovered wrongly) is a conflict, never skipped.
    static func check(_ archived: ArchivedCopy?, of logged: LoggedEvent, partition: Int) throws {
        guard let archived, archived.type == logged.event.type, archived.payload == logged.payloadJSON else {
            throw ProjectionConflict(
                partition: partition, eventId: logged.id,
                detail:
                    "the archive holds a different event under this id: \(archived?.payload.prefix(300) ?? "nothing")")
        }
    }

    /// The same for one event whose archive row turned out to be taken (by a writer that
    /// committed it after the copies were read).
    static func checkArchivedCopy(of logged: LoggedEvent, partition: Int, on connection: Connection) throws {
        let copies = try archivedCopies(of: [logged.id], partition: partition, on: connection)
        try check(copies[logged.id], of: logged, partition: partition)
    }
}
