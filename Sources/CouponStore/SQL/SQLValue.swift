/// A value bound to a statement's parameter, the same for every engine.
public enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case null

    public static func optional(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }
    public static func optional(_ number: Int64?) -> SQLValue { number.map { .integer($0) } ?? .null }
}
