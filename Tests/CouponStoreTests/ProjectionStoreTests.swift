import CouponCore
import CouponStore
import Fixtures
import Foundation
import Testing

/// Events as the log holds them, for the store tests.
enum Events {
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
}

/// The projection store, the same tests on every engine: SQLite, MariaDB with array binding, and
/// MariaDB through the multi-row VALUES path the service takes on MySQL.
@Suite struct ProjectionStoreTests {
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
        for engine in [SQLDialect.sqlite, .mariadb] {
            let versions = Migration.all(for: engine).map(\.version)
            #expect(versions == Array(1...Int64(versions.count)), "one migration per version for \(engine)")
        }
        #expect(Set(Migration.all.map(\.version)) == Set(Migration.all(for: .sqlite).map(\.version)))
    }

    /// The indexes a fully migrated database has besides its keys: the audit migration's two.
    static let currentIndexes = ["coupon_events_in_log_order", "coupon_issues_by_user"]

    /// The indexes besides the primary keys, by name: what every query plan can use.
    func indexes(_ url: String, _ engine: TestEngine) throws -> [String] {
        engine == .sqlite
            ? try Table.rows(
                url,
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name"
            )
            : try Table.rows(
                url,
                "SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE() "
                    + "AND index_name <> 'PRIMARY' AND index_name <> 'coupon_issues_seq' ORDER BY index_name")
    }

    @Test(arguments: TestEngine.allCases)
    func migrateIsIdempotentAndCreatesEveryTable(engine: TestEngine) async throws {
        let url = try await engine.freshDatabase()
        let store = try await engine.store(url)
        #expect(try await store.migrate() == [])
        let tables =
            engine == .sqlite
            ? try Table.rows(url, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            : try Table.rows(url, "SHOW TABLES").sorted()
        #expect(
            tables == [
                "coupon_events", "coupon_issues", "coupons", "deployment", "projection_progress", "schema_migrations",
            ])
        #expect(
            try Table.rows(url, "SELECT version FROM schema_migrations ORDER BY version").count
                == Migration.all(for: engine.dialect).count)
        #expect(try indexes(url, engine) == Self.currentIndexes)
        if engine == .sqlite {
            #expect(try Table.rows(url, "PRAGMA journal_mode") == ["wal"])
        } else {
            // Created case-insensitive (see TestEngine); the migrator made every id column binary.
            #expect(
                try Table.rows(
                    url,
                    "SELECT DISTINCT collation_name FROM information_schema.columns WHERE table_schema = DATABASE() "
                        + "AND collation_name IS NOT NULL") == ["utf8mb4_nopad_bin"])
        }
    }

    /// Later migrations carry the rows already there along: 0002's numeric log order is filled in
    /// for events archived before it existed, on both engines.
    @Test(arguments: TestEngine.allCases)
    func laterMigrationsCarryExistingRowsAlong(engine: TestEngine) async throws {
        let url = try await engine.freshDatabase()
        let first = Migrator(migrations: [Migration.all[0]])
        if url.hasPrefix("mysql://") {
            _ = try first.migrate(try MariaDBConnection(try MariaDBConfiguration(url: url)))
        } else {
            _ = try first.migrate(try SQLiteConnection(path: String(url.dropFirst("sqlite:".count))))
        }
        #expect(try indexes(url, engine) == ["coupon_events_by_coupon"])
        for row in [
            "(0, '1795680000001-9', 'CouponIssued', 4, 'é😀 user', 1, '{}', 1795680000001)",
            "(0, '1795680000001-10', 'CouponIssued', 4, 'second', 2, '{}', 1795680000001)",
            "(1, '1795680000001-9', 'CouponIssued', 5, 'other', 1, '{}', 1795680000001)",
        ] {
            try Table.execute(url, "INSERT INTO coupon_events VALUES \(row)")
        }
        let store = try await engine.store(url)
        #expect(try await store.migrate() == [])
        #expect(
            try Table.rows(
                url,
                "SELECT event_id, event_ms, event_seq FROM coupon_events WHERE coupon_id = 4 ORDER BY event_ms, event_seq"
            )
                == ["1795680000001-9|1795680000001|9", "1795680000001-10|1795680000001|10"])
        let timeline = try await store.timeline(coupon: CouponID(4), after: nil, limit: 10)
        #expect(timeline.map(\.user) == ["é😀 user", "second"])
        #expect(try indexes(url, engine) == Self.currentIndexes, "0004 dropped 0001's")
    }

    /// Four migrators at once on one fresh database (four workers starting together): one applies
    /// each migration, the others wait and find it applied.
    @Test(arguments: TestEngine.servers)
    func concurrentMigratorsApplyEachMigrationOnce(engine: TestEngine) async throws {
        let url = try await engine.freshDatabase()
        let applied = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let store = try await ProjectionStores.open(try DatabaseURL(url))
                    return try await store.migrate()
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(applied.sorted() == Migration.all(for: engine.dialect).map(\.version))
    }

    func snapshot(_ url: String) throws -> [String] {
        try Table.rows(url, "SELECT * FROM coupon_events ORDER BY event_id")
            + Table.rows(url, "SELECT * FROM coupon_issues ORDER BY seq")
            + Table.rows(url, "SELECT * FROM coupons")
            + Table.rows(url, "SELECT * FROM projection_progress")
    }

    @Test(arguments: TestEngine.allCases)
    func appliesABatchAndApplyingItAgainChangesNothing(engine: TestEngine) async throws {
        let (store, url) = try await engine.freshStore()
        let batch = [
            try Events.defined(4, at: "100-0"), try Events.issued(4, "alice", seq: 1, at: "101-0"),
            try Events.issued(4, "bob", seq: 2, at: "101-1"),
        ]
        let first = try await store.apply(batch, partition: 0)
        #expect(first == ProjectionResult(applied: 3, rowsWritten: 7))
        let written = try snapshot(url)
        #expect(try await store.apply(batch, partition: 0) == ProjectionResult(applied: 0, rowsWritten: 0))
        #expect(try await store.apply([batch[1]], partition: 0) == ProjectionResult(applied: 0, rowsWritten: 0))
        #expect(try snapshot(url) == written)
        #expect(
            try Table.rows(url, "SELECT coupon_id, user_id, seq, event_id, issued_at FROM coupon_issues ORDER BY seq")
                == ["4|alice|1|101-0|1500", "4|bob|2|101-1|1500"])
        #expect(
            try Table.rows(url, "SELECT id, name, total_quantity, defined_event_id FROM coupons")
                == ["4|C \"quoted\" \\ é|10|100-0"])
        #expect(
            try Table.rows(url, "SELECT payload FROM coupon_events WHERE event_id = '101-0'")
                == [#"{"type":"CouponIssued","v":"1","coupon":"4","user":"alice","seq":"1","at":"1500"}"#])
        #expect(
            try Table.rows(
                url,
                "SELECT partition_no, event_id, type, user_id, seq, event_ms, event_seq FROM coupon_events ORDER BY event_seq"
            )
                == [
                    "0|100-0|CouponDefined|NULL|NULL|100|0", "0|101-0|CouponIssued|alice|1|101|0",
                    "0|101-1|CouponIssued|bob|2|101|1",
                ])
        #expect(try Table.rows(url, "SELECT partition_no, last_event_id FROM projection_progress") == ["0|101-1"])
        #expect(try await store.issuance(coupon: CouponID(4), user: UserID("bob"))?.seq == 2)
        #expect(try await store.issuance(coupon: CouponID(4), user: UserID("carol")) == nil)

        // A batch with one event already archived and new ones: the new ones are applied, the
        // archived one is skipped whole.
        let mixed = [batch[2], try Events.issued(4, "carol", seq: 3, at: "102-0")]
        #expect(try await store.apply(mixed, partition: 0) == ProjectionResult(applied: 1, rowsWritten: 3))
        #expect(try Table.rows(url, "SELECT count(*) FROM coupon_issues") == ["3"])
    }

    /// `u-42`, `U-42` and `u-42 ` are three users, and each gets its own row on every engine.
    @Test(arguments: TestEngine.allCases)
    func usersDifferingOnlyByCaseOrTrailingSpaceAreDistinctRows(engine: TestEngine) async throws {
        let (store, url) = try await engine.freshStore()
        let users = ["u-42", "U-42", "u-42 ", " u-42", "ü-42", "u-42\u{301}", "😀"]
        _ = try await store.apply(
            try [Events.defined(9, at: "1-0")]
                + users.enumerated().map { try Events.issued(9, $1, seq: $0 + 1, at: "2-\($0)") },
            partition: 0)
        #expect(try Table.rows(url, "SELECT count(*), count(DISTINCT user_id) FROM coupon_issues") == ["7|7"])
        for (index, user) in users.enumerated() {
            #expect(
                try await store.issuance(coupon: CouponID(9), user: UserID(user))?.seq == Int64(index + 1), "\(user)")
        }
        #expect(try await store.issuance(coupon: CouponID(9), user: UserID("U-42 ")) == nil)
    }

    @Test(arguments: TestEngine.allCases)
    func progressOnlyMovesForwardAndPartitionsAreKeptApart(engine: TestEngine) async throws {
        let (store, url) = try await engine.freshStore()
        _ = try await store.apply([try Events.issued(1, "a", seq: 1, at: "9-0")], partition: 1)
        _ = try await store.apply([try Events.issued(1, "b", seq: 2, at: "10-0")], partition: 1)
        _ = try await store.apply([try Events.issued(1, "c", seq: 3, at: "8-0")], partition: 1)
        // The same stream id in another partition is another event.
        _ = try await store.apply([try Events.issued(2, "a", seq: 1, at: "9-0", partition: 2)], partition: 2)
        #expect(
            try Table.rows(url, "SELECT partition_no, last_event_id FROM projection_progress ORDER BY partition_no")
                == ["1|10-0", "2|9-0"])
        #expect(try Table.rows(url, "SELECT count(*) FROM coupon_events") == ["4"])
    }

    @Test(arguments: TestEngine.allCases)
    func aDifferentEventClaimingTheSameRowIsAConflictAndRollsBackTheBatch(engine: TestEngine) async throws {
        let (store, url) = try await engine.freshStore()
        _ = try await store.apply([try Events.issued(7, "alice", seq: 1, at: "1-0")], partition: 0)
        let conflict = await #expect(throws: ProjectionConflict.self) {
            try await store.apply(
                [try Events.issued(7, "bob", seq: 2, at: "2-0"), try Events.issued(7, "carol", seq: 1, at: "3-0")],
                partition: 0)
        }
        #expect(conflict?.eventId == StreamID("3-0"), "the conflict names the event that caused it")
        #expect(try Table.rows(url, "SELECT user_id FROM coupon_issues") == ["alice"])
        #expect(try Table.rows(url, "SELECT count(*) FROM coupon_events") == ["1"])
    }

    /// Several writers on one database (as several worker processes are), each on its own
    /// partition: they take turns (SQLite's write lock, InnoDB's row locks) instead of failing.
    @Test(arguments: TestEngine.allCases)
    func concurrentWritersOnOneDatabaseDoNotFail(engine: TestEngine) async throws {
        let url = try await engine.freshDatabase()
        var stores: [any ProjectionStore] = []
        for _ in 0..<4 { stores.append(try await engine.store(url)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    for batch in 0..<25 {
                        let events = try (0..<100).map { n in
                            try Events.issued(
                                index + 1, "u\(batch)-\(n)", seq: batch * 100 + n + 1, at: "\(batch + 1)-\(n)")
                        }
                        _ = try await store.apply(events, partition: index)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try Table.rows(url, "SELECT count(*) FROM coupon_issues") == ["10000"])
    }

    /// Four writers on ONE partition, their batches overlapping and finishing in any order (a
    /// claimed batch re-applied while its first owner still works on it): every event lands
    /// once, progress ends at the newest event — never moved back by a writer that finished
    /// later with older events — and the only failures are transient ones, retried.
    @Test(arguments: TestEngine.allCases)
    func overlappingWritersOnOnePartitionNeverMoveProgressBack(engine: TestEngine) async throws {
        let url = try await engine.freshDatabase()
        let events = try (0..<2_000).map { n in
            try Events.issued(5, "u\(n)", seq: n + 1, at: "\(100 + n / 10)-\(n % 10)")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                let store = try await engine.store(url)
                group.addTask {
                    // Each writer takes the log in batches of 50 overlapping its neighbours' by half.
                    var batches = stride(from: writer * 25, to: events.count, by: 50).map {
                        Array(events[$0..<min($0 + 50, events.count)])
                    }
                    batches.shuffle()
                    for batch in batches {
                        while true {
                            do {
                                _ = try await store.apply(batch, partition: 3)
                                break
                            } catch let failure as any DatabaseFailure where failure.isTransient {
                                continue  // a deadlock or lock wait: the batch is retried whole
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try Table.rows(url, "SELECT count(*), count(DISTINCT seq) FROM coupon_issues") == ["2000|2000"])
        #expect(try Table.rows(url, "SELECT count(*) FROM coupon_events") == ["2000"])
        #expect(
            try Table.rows(url, "SELECT last_event_id FROM projection_progress WHERE partition_no = 3") == ["299-9"])
    }
}
