import CouponCore
import CouponStore
import Foundation
import Testing

@Suite struct SQLiteProjectionStoreTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("coupon-store-\(UUID()).sqlite").path
    }

    static func event(_ partition: Int, _ id: String, _ fields: [(String, String)]) throws -> LoggedEvent {
        try LoggedEvent(
            partition: partition, id: #require(StreamID(id)), fields: fields.map { LoggedEvent.Field($0.0, $0.1) })
    }

    static func defined(_ coupon: Int, at id: String, partition: Int = 0) throws -> LoggedEvent {
        try event(
            partition, id,
            [
                ("type", "CouponDefined"), ("v", "1"), ("coupon", String(coupon)), ("name", "C \"quoted\" \\ é"),
                ("total", "10"), ("startsAt", "1000"), ("endsAt", "2000"), ("at", "1000"),
            ])
    }

    static func issued(_ coupon: Int, _ user: String, seq: Int, at id: String, partition: Int = 0) throws -> LoggedEvent
    {
        try event(
            partition, id,
            [
                ("type", "CouponIssued"), ("v", "1"), ("coupon", String(coupon)), ("user", user), ("seq", String(seq)),
                ("at", "1500"),
            ])
    }

    func rows(_ store: SQLiteProjectionStore, _ sql: String) throws -> [String] {
        try store.database.performBlocking { connection in
            var rows: [String] = []
            try connection.query(sql) { row in
                rows.append(
                    (0..<row.columnCount).map { row.isNull($0) ? "NULL" : row.text($0) ?? "" }.joined(separator: "|"))
            }
            return rows
        }
    }

    @Test func migrationsInTheBinaryMatchTheMigrationsFolder() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Migrations").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }
            .sorted()
        #expect(Migration.all.map(\.name) == files)
        for migration in Migration.all {
            #expect(
                migration.sql
                    == (try String(contentsOf: folder.appendingPathComponent(migration.name), encoding: .utf8)))
        }
        #expect(Migration.all.map(\.version) == Array(1...Int64(Migration.all.count)))
    }

    @Test func migrateIsIdempotentAndCreatesEveryTable() async throws {
        let store = try await SQLiteProjectionStore(path: Self.temporaryPath())
        #expect(try await store.migrate() == Migration.all.map(\.version))
        #expect(try await store.migrate() == [])
        let tables = try rows(store, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        #expect(
            tables == [
                "coupon_events", "coupon_issues", "coupons", "deployment", "projection_progress", "schema_migrations",
            ])
        #expect(try rows(store, "PRAGMA journal_mode") == ["wal"])
    }

    @Test func appliesABatchAndApplyingItAgainChangesNothing() async throws {
        let store = try await SQLiteProjectionStore(path: Self.temporaryPath())
        _ = try await store.migrate()
        let batch = [
            try Self.defined(4, at: "100-0"), try Self.issued(4, "alice", seq: 1, at: "101-0"),
            try Self.issued(4, "bob", seq: 2, at: "101-1"),
        ]
        let first = try await store.apply(batch, partition: 0)
        #expect(first == ProjectionResult(applied: 3, rowsWritten: 7))
        let snapshot =
            try rows(store, "SELECT * FROM coupon_events ORDER BY event_id")
            + rows(store, "SELECT * FROM coupon_issues ORDER BY seq") + rows(store, "SELECT * FROM projection_progress")
        #expect(try await store.apply(batch, partition: 0) == ProjectionResult(applied: 0, rowsWritten: 0))
        #expect(try await store.apply([batch[1]], partition: 0) == ProjectionResult(applied: 0, rowsWritten: 0))
        let again =
            try rows(store, "SELECT * FROM coupon_events ORDER BY event_id")
            + rows(store, "SELECT * FROM coupon_issues ORDER BY seq") + rows(store, "SELECT * FROM projection_progress")
        #expect(again == snapshot)
        #expect(
            try rows(store, "SELECT coupon_id, user_id, seq, event_id, issued_at FROM coupon_issues ORDER BY seq")
                == ["4|alice|1|101-0|1500", "4|bob|2|101-1|1500"])
        #expect(try rows(store, "SELECT id, name, total_quantity FROM coupons") == ["4|C \"quoted\" \\ é|10"])
        #expect(
            try rows(store, "SELECT payload FROM coupon_events WHERE event_id = '101-0'")
                == [#"{"type":"CouponIssued","v":"1","coupon":"4","user":"alice","seq":"1","at":"1500"}"#])
        #expect(try rows(store, "SELECT partition_no, last_event_id FROM projection_progress") == ["0|101-1"])
        #expect(try await store.issuance(coupon: CouponID(4), user: UserID("bob"))?.seq == 2)
        #expect(try await store.issuance(coupon: CouponID(4), user: UserID("carol")) == nil)
    }

    @Test func progressOnlyMovesForwardAndPartitionsAreKeptApart() async throws {
        let store = try await SQLiteProjectionStore(path: Self.temporaryPath())
        _ = try await store.migrate()
        _ = try await store.apply([try Self.issued(1, "a", seq: 1, at: "9-0")], partition: 1)
        _ = try await store.apply([try Self.issued(1, "b", seq: 2, at: "10-0")], partition: 1)
        _ = try await store.apply([try Self.issued(1, "c", seq: 3, at: "8-0")], partition: 1)
        // The same stream id in another partition is another event.
        _ = try await store.apply([try Self.issued(2, "a", seq: 1, at: "9-0", partition: 2)], partition: 2)
        #expect(
            try rows(store, "SELECT partition_no, last_event_id FROM projection_progress ORDER BY partition_no")
                == ["1|10-0", "2|9-0"])
        #expect(try rows(store, "SELECT count(*) FROM coupon_events") == ["4"])
    }

    @Test func aDifferentEventClaimingTheSameRowIsAConflictAndRollsBackTheBatch() async throws {
        let store = try await SQLiteProjectionStore(path: Self.temporaryPath())
        _ = try await store.migrate()
        _ = try await store.apply([try Self.issued(7, "alice", seq: 1, at: "1-0")], partition: 0)
        await #expect(throws: ProjectionConflict.self) {
            try await store.apply(
                [try Self.issued(7, "bob", seq: 2, at: "2-0"), try Self.issued(7, "carol", seq: 1, at: "3-0")],
                partition: 0)
        }
        #expect(try rows(store, "SELECT user_id FROM coupon_issues") == ["alice"])
        #expect(try rows(store, "SELECT count(*) FROM coupon_events") == ["1"])
    }

    /// Several writers on one file (as several worker processes are): BEGIN IMMEDIATE and the busy
    /// timeout make them take turns instead of failing with "database is locked".
    @Test func concurrentWritersOnOneFileDoNotFail() async throws {
        let path = Self.temporaryPath()
        var stores: [SQLiteProjectionStore] = []
        for _ in 0..<4 { stores.append(try await SQLiteProjectionStore(path: path)) }
        _ = try await stores[0].migrate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    for batch in 0..<25 {
                        let events = try (0..<100).map { n in
                            try Self.issued(
                                index + 1, "u\(batch)-\(n)", seq: batch * 100 + n + 1, at: "\(batch + 1)-\(n)")
                        }
                        _ = try await store.apply(events, partition: index)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try rows(stores[0], "SELECT count(*) FROM coupon_issues") == ["10000"])
    }
}
