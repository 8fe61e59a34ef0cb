import CouponStore
import Foundation
import TestSupport
import Testing

/// The Connector/C wrapper against a real MariaDB: bound values round-trip exactly, sessions are
/// strict and binary, errors carry their number, SQLSTATE and statement and say whether they are
/// transient, and a lost connection is re-established by the next call.
@Suite struct MariaDBConnectionTests {
    func connect() async throws -> MariaDBConnection {
        try MariaDBConnection(try MariaDBConfiguration(url: try await TestMariaDB.url()))
    }

    /// A table of its own for each test.
    func table(_ connection: MariaDBConnection, _ columns: String) throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try connection.execute("CREATE TABLE \(name) (\(columns))")
        return name
    }

    @Test func urlsParseAndNeverEchoAPassword() throws {
        let tcp = try MariaDBConfiguration(url: "mysql://coupon:s%40cret@db.example:3307/coupons")
        #expect(tcp.host == "db.example" && tcp.port == 3307 && tcp.user == "coupon" && tcp.password == "s@cret")
        #expect(tcp.database == "coupons" && tcp.socket == nil)
        let socket = try MariaDBConfiguration(url: "mysql://root@localhost/coupons?socket=/run/mysqld/mysqld.sock")
        #expect(socket.socket == "/run/mysqld/mysqld.sock" && socket.password == nil)
        for bad in [
            "mysql://coupon:s3cret@host:99999/db", "mysql://coupon:s3cret@host:3306/", "mysql://:s3cret@host/db",
        ] {
            let error = #expect(throws: StoreError.self) { try MariaDBConfiguration(url: bad) }
            #expect(error?.description.contains("s3cret") == false, "\(error?.description ?? "")")
        }
    }

    @Test func boundValuesRoundTripExactly() async throws {
        let connection = try await connect()
        let name = try table(connection, "id BIGINT PRIMARY KEY, label VARCHAR(64) NOT NULL, note TEXT NULL")
        let long = String(repeating: "é😀", count: 5000)
        let rows: [(Int64, String, String?)] = [
            (Int64.max, "' OR 1=1 --", nil), (-7, "ユーザー 😀", long), (0, "", "with\nnewline and \"quotes\""),
        ]
        for (id, label, note) in rows {
            let inserted = try connection.run(
                "INSERT INTO \(name) (id, label, note) VALUES (?, ?, ?)",
                [.integer(id), .text(label), note.map { .text($0) } ?? .null])
            #expect(inserted == 1)
        }
        var read: [(Int64, String, String?)] = []
        try connection.query("SELECT id, label, note FROM \(name) ORDER BY id") { row in
            read.append((row.int64(0), row.text(1) ?? "?", row.isNull(2) ? nil : row.text(2)))
        }
        #expect(read.map(\.0) == [-7, 0, Int64.max])
        #expect(read.map(\.1) == ["ユーザー 😀", "", "' OR 1=1 --"])
        #expect(read.map(\.2) == [long, "with\nnewline and \"quotes\"", nil])
        var matched = 0
        try connection.query("SELECT count(*) FROM \(name) WHERE label = ?", [.text("' OR 1=1 --")]) {
            matched = Int($0.int64(0))
        }
        #expect(matched == 1, "a bound value is a value, never SQL")
    }

    @Test func sessionsAreStrictAndIdsCompareAsBytes() async throws {
        let connection = try await connect()
        try connection.query(
            "SELECT @@SESSION.sql_mode, @@SESSION.collation_connection, @@SESSION.character_set_client"
        ) {
            row in
            #expect(row.text(0)?.contains("STRICT_ALL_TABLES") == true)
            #expect(row.text(1) == "utf8mb4_nopad_bin")
            #expect(row.text(2) == "utf8mb4")
        }
        let name = try table(connection, "user_id VARCHAR(4) COLLATE utf8mb4_nopad_bin PRIMARY KEY")
        for user in ["u-42", "U-42", "u-4 "] { try connection.run("INSERT INTO \(name) VALUES (?)", [.text(user)]) }
        var count = 0
        try connection.query("SELECT count(*) FROM \(name) WHERE user_id = ?", [.text("u-4")]) {
            count = Int($0.int64(0))
        }
        #expect(count == 0, "'u-4 ' and 'u-4' are different ids")
        // Strict: a value that does not fit is an error (1406), never a silent truncation.
        let tooLong = #expect(throws: MariaDBError.self) {
            try connection.run("INSERT INTO \(name) VALUES (?)", [.text("u-42-and-more")])
        }
        #expect(tooLong?.number == 1406)
        #expect(tooLong?.isTransient == false)
    }

    @Test func errorsCarryNumberStateAndStatementAndSayWhetherTransient() async throws {
        let connection = try await connect()
        let name = try table(connection, "id BIGINT PRIMARY KEY, v BIGINT NOT NULL")
        try connection.run("INSERT INTO \(name) VALUES (?, ?)", [.integer(1), .integer(1)])
        let duplicate = #expect(throws: MariaDBError.self) {
            try connection.run("INSERT INTO \(name) VALUES (?, ?)", [.integer(1), .integer(2)])
        }
        #expect(duplicate?.number == 1062 && duplicate?.sqlState == "23000")
        #expect(duplicate?.sql?.hasPrefix("INSERT INTO \(name)") == true)
        #expect(duplicate?.isTransient == false)

        // A row lock held by another connection: lock-wait timeout (1205), transient.
        let holder = try await connect()
        try holder.execute("START TRANSACTION")
        try holder.run("UPDATE \(name) SET v = 2 WHERE id = ?", [.integer(1)])
        try connection.execute("SET SESSION innodb_lock_wait_timeout = 1")
        let waited = #expect(throws: MariaDBError.self) {
            try connection.run("UPDATE \(name) SET v = 3 WHERE id = ?", [.integer(1)])
        }
        #expect(waited?.number == 1205)
        #expect(waited?.isTransient == true)
        try holder.execute("ROLLBACK")
        try connection.run("UPDATE \(name) SET v = 3 WHERE id = ?", [.integer(1)])
    }

    /// The server ends the connection (as a restart does): the call in flight fails transiently,
    /// the next one connects again, with the session set up again.
    @Test func aLostConnectionIsReestablishedByTheNextCall() async throws {
        let connection = try await connect()
        var id: Int64 = 0
        try connection.query("SELECT CONNECTION_ID()") { id = $0.int64(0) }
        try await connect().execute("KILL \(id)")
        let lost = #expect(throws: MariaDBError.self) { try connection.query("SELECT 1") { _ in } }
        #expect(lost?.isTransient == true && lost?.isConnectionLost == true, "\(String(describing: lost))")
        var again: Int64 = 0
        try connection.query("SELECT CONNECTION_ID()") { again = $0.int64(0) }
        #expect(again != id && again != 0)
        try connection.query("SELECT @@SESSION.collation_connection") { #expect($0.text(0) == "utf8mb4_nopad_bin") }
        #expect(connection.serverIsMariaDB)
    }

    @Test func transactionsCommitOrRollBack() async throws {
        let connection = try await connect()
        let name = try table(connection, "id BIGINT PRIMARY KEY")
        _ = try connection.transaction { try connection.run("INSERT INTO \(name) VALUES (?)", [.integer(1)]) }
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try connection.transaction {
                try connection.run("INSERT INTO \(name) VALUES (?)", [.integer(2)])
                throw Abort()
            }
        }
        var ids: [Int64] = []
        try connection.query("SELECT id FROM \(name) ORDER BY id") { ids.append($0.int64(0)) }
        #expect(ids == [1])
    }
}

extension MariaDBConnectionTests {
    /// A bulk execution that fails part-way (here a lock-wait timeout on its second row): the
    /// error is transient, and the same connection answers the next query and takes the same
    /// rows once the lock is gone.
    @Test func aFailedBulkExecutionLeavesAWorkingConnection() async throws {
        let connection = try await connect()
        let name = try table(connection, "id BIGINT PRIMARY KEY, v VARCHAR(16) NOT NULL")
        let insert = RowInsert(table: name, columns: ["id", "v"])
        try connection.run("INSERT INTO \(name) VALUES (?, ?)", [.integer(2), .text("held")])
        let holder = try await connect()
        try holder.execute("START TRANSACTION")
        try holder.run("UPDATE \(name) SET v = ? WHERE id = ?", [.text("locked"), .integer(2)])
        try connection.execute("SET SESSION innodb_lock_wait_timeout = 1")
        let rows: [[SQLValue]] = (1...3).map { [.integer(Int64($0)), .text("row \($0)")] }
        let failed = #expect(throws: MariaDBError.self) {
            try connection.transaction { try connection.insert(insert, rows) }
        }
        #expect(failed?.isTransient == true, "\(String(describing: failed))")
        #expect(try connection.rows("SELECT count(*) FROM \(name)") == ["1"])
        try holder.execute("ROLLBACK")
        #expect(try connection.transaction { try connection.insert(insert, rows) } == 2)
        #expect(try connection.rows("SELECT id, v FROM \(name) ORDER BY id") == ["1|row 1", "2|held", "3|row 3"])
    }
}

extension MariaDBConnectionTests {
    /// A locking read that fails (here a lock-wait timeout) and then runs again on the same
    /// connection: the second run answers. Connector/C could be left waiting for a reply the
    /// server never sends after such a failure, and the next execution sat out the 120-s read
    /// timeout; a failed statement now closes the connection and the next call connects again.
    @Test func aFailedLockingReadLeavesAWorkingConnection() async throws {
        let connection = try await connect()
        let name = try table(connection, "id BIGINT PRIMARY KEY, v VARCHAR(16) NOT NULL")
        try connection.run(
            "INSERT INTO \(name) VALUES (?, ?), (?, ?)", [.integer(1), .text("a"), .integer(2), .text("b")])
        let select = "SELECT id, v FROM \(name) WHERE id IN (?, ?) FOR UPDATE"
        // Prepared and run once before it fails, as the projection's statements are.
        #expect(
            try connection.transaction { try connection.rows(select, [.integer(1), .integer(2)]) } == ["1|a", "2|b"])
        let holder = try await connect()
        try holder.execute("START TRANSACTION")
        try holder.run("UPDATE \(name) SET v = ? WHERE id = ?", [.text("locked"), .integer(2)])
        try connection.execute("SET SESSION innodb_lock_wait_timeout = 1")
        let failed = #expect(throws: MariaDBError.self) {
            try connection.transaction { try connection.rows(select, [.integer(1), .integer(2)]) }
        }
        #expect(failed?.isTransient == true, "\(String(describing: failed))")
        try holder.execute("ROLLBACK")
        #expect(
            try connection.transaction { try connection.rows(select, [.integer(1), .integer(2)]) } == ["1|a", "2|b"])
    }
}
