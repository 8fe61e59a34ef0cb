public enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case null

    public static func optional(_ text: String?) -> SQLiteValue { text.map { .text($0) } ?? .null }
    public static func optional(_ number: Int64?) -> SQLiteValue { number.map { .integer($0) } ?? .null }
}
