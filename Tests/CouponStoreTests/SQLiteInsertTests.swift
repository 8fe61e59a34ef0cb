import CouponStore
import Fixtures
import Testing

/// SQLite inserts rows in multi-row statements and binds strings in place: every row lands whole,
/// byte for byte, whatever the batch size, and a row whose key is taken is skipped and not counted.
@Suite struct SQLiteInsertTests {
    func table() throws -> (SQLiteConnection, RowInsert) {
        let connection = try SQLiteConnection(path: Fixture.temporaryDatabase())
        try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, note TEXT, n INTEGER)")
        return (connection, RowInsert(table: "t", columns: ["id", "name", "note", "n"]))
    }

    func rows(_ connection: SQLiteConnection) throws -> [String] {
        var found: [String] = []
        try connection.query("SELECT id, name, note, n FROM t ORDER BY id", []) { row in
            found.append(
                "\(row.int64(0))|\(row.text(1) ?? "NULL")|\(row.isNull(2) ? "NULL" : row.text(2) ?? "")|\(row.int64(3))"
            )
        }
        return found
    }

    /// Sizes around each chunk boundary (256, 64, 16, 4, 1) and a batch of the worker's size.
    @Test(arguments: [1, 3, 4, 5, 16, 17, 63, 64, 65, 255, 256, 257, 341, 1000])
    func everyRowOfABatchLandsWithItsValues(count: Int) throws {
        let (connection, insert) = try table()
        // Empty, small (inline), long (heap, and past the statement's first buffer), non-ASCII.
        let texts = ["", "u-1", String(repeating: "x", count: 300), "grüße 🎟️", "with \"quotes\", commas"]
        let batch = (0..<count).map { k -> [SQLValue] in
            let name = SQLValue.text(texts[k % texts.count] + "#\(k)")
            let note = k % 3 == 0 ? SQLValue.null : SQLValue.text(texts[k % 5])
            return [.integer(Int64(k)), name, note, .integer(Int64(-k))]
        }
        #expect(try connection.transaction { try connection.insert(insert, batch) } == count)
        let expected = (0..<count).map { k -> String in
            let note = k % 3 == 0 ? "NULL" : texts[k % 5]
            return "\(k)|\(texts[k % texts.count])#\(k)|\(note)|\(-k)"
        }
        #expect(try rows(connection) == expected)
    }

    @Test func rowsWhoseKeyIsTakenAreSkippedAndNotCounted() throws {
        let (connection, insert) = try table()
        let batch: (Range<Int>) -> [[SQLValue]] = { range in
            range.map { [.integer(Int64($0)), .text("first \($0)"), .null, .integer(0)] }
        }
        #expect(try connection.transaction { try connection.insert(insert, batch(0..<100)) } == 100)
        let again: [[SQLValue]] = (50..<400).map { [.integer(Int64($0)), .text("second \($0)"), .null, .integer(1)] }
        #expect(try connection.transaction { try connection.insert(insert, again) } == 300)
        let found = try rows(connection)
        #expect(found.count == 400)
        #expect(found[60] == "60|first 60|NULL|0")
        #expect(found[160] == "160|second 160|NULL|1")
    }

    /// A string's bytes are bound as they are, with their length: an embedded NUL no longer ends it.
    @Test func aStringIsBoundWithAllItsBytes() throws {
        let (connection, insert) = try table()
        _ = try connection.transaction {
            try connection.insert(insert, [[.integer(1), .text("a\u{0}b"), .null, .integer(0)]])
        }
        var length: Int64 = 0
        try connection.query("SELECT length(CAST(name AS BLOB)) FROM t", []) { length = $0.int64(0) }
        #expect(length == 3)
    }
}
