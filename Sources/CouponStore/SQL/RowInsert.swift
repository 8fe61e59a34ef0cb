/// An INSERT of whole rows into one table that skips rows whose key is taken
/// (`SQLDialect.skipTaken`): the projection's only kind of write besides its progress.
public struct RowInsert: Sendable {
    public let table: String
    public let columns: [String]
    /// The statement for each `FixedChunks` size (one row included: MariaDB's array binding runs
    /// that one), per dialect: built once, not for every chunk of every batch.
    private let statements: [SQLDialect: [Int: String]]

    public init(table: String, columns: [String]) {
        self.table = table
        self.columns = columns
        func bySize(_ dialect: SQLDialect) -> [Int: String] {
            Dictionary(
                uniqueKeysWithValues: FixedChunks.sizes.map { ($0, RowInsert.sql(table, columns, rows: $0, dialect)) })
        }
        statements = [.sqlite: bySize(.sqlite), .mariadb: bySize(.mariadb)]
    }

    /// The statement for `rows` rows in one multi-row VALUES list.
    func statement(rows: Int, _ dialect: SQLDialect) -> String {
        statements[dialect]?[rows] ?? RowInsert.sql(table, columns, rows: rows, dialect)
    }

    /// Inserts `rows` in multi-row statements of `FixedChunks` sizes, each run by `run` (SQL and
    /// the chunk's rows → rows changed); returns the rows inserted (a skipped row counts 0).
    func inChunks(
        _ rows: [[SQLValue]], _ dialect: SQLDialect, run: (String, ArraySlice<[SQLValue]>) throws -> Int
    ) rethrows -> Int {
        var inserted = 0
        for chunk in FixedChunks.ranges(rows.count) {
            inserted += try run(statement(rows: chunk.count, dialect), rows[chunk])
        }
        return inserted
    }

    private static func sql(_ table: String, _ columns: [String], rows: Int, _ dialect: SQLDialect) -> String {
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
            + Array(repeating: row, count: rows).joined(separator: ", ") + " "
            + dialect.skipTaken(key: columns[0])
    }
}
