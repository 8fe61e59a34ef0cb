/// A Redis reply, copied out of hiredis's C structure before that structure is freed.
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    /// The reply as text: bulk strings and status replies decode as UTF-8, integers print.
    public var string: String? {
        switch self {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        case .integer(let value): return String(value)
        default: return nil
        }
    }

    public var int: Int64? {
        switch self {
        case .integer(let value): return value
        case .bulk, .status: return string.flatMap { Int64($0) }
        default: return nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
