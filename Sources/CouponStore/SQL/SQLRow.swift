/// The current row of a query, as every engine hands it over; valid only inside the `row` closure.
public protocol SQLRow: SendableMetatype {
    var columnCount: Int { get }
    func int64(_ column: Int) -> Int64
    func text(_ column: Int) -> String?
    func isNull(_ column: Int) -> Bool
}

extension SQLRow {
    /// Every column as text, NULL as `NULL`, joined by `|`: how tests and tools print a row, the
    /// same on every engine.
    public var joined: String {
        (0..<columnCount).map { isNull($0) ? "NULL" : text($0) ?? "" }.joined(separator: "|")
    }
}
