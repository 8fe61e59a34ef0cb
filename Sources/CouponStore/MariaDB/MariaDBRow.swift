/// The current row of a query: every column as text (or null), as the server sent it.
public struct MariaDBRow: SQLRow, Sendable {
    let values: [SQLValue]

    public var columnCount: Int { values.count }
    public func isNull(_ column: Int) -> Bool { values[column] == .null }
    public func text(_ column: Int) -> String? {
        if case .text(let text) = values[column] { return text }
        return nil
    }
    public func int64(_ column: Int) -> Int64 { text(column).flatMap { Int64($0) } ?? 0 }
}
