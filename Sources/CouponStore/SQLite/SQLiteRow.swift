/// The current row of a query; valid only inside the `row` closure.
public struct SQLiteRow: SQLRow {
    let statement: SQLiteStatement

    public func int64(_ column: Int) -> Int64 { statement.int64(column) }
    public func text(_ column: Int) -> String? { statement.text(column) }
    public func isNull(_ column: Int) -> Bool { statement.isNull(column) }
    public var columnCount: Int { statement.columnCount }
}
