/// The current row of a query; valid only inside the `row` closure.
public struct SQLiteRow {
    let statement: SQLiteStatement

    public func int64(_ column: Int32) -> Int64 { statement.int64(column) }
    public func text(_ column: Int32) -> String? { statement.text(column) }
    public func isNull(_ column: Int32) -> Bool { statement.isNull(column) }
    public var columnCount: Int32 { statement.columnCount }
}
