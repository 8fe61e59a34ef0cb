/// Where the projection lives: `sqlite:PATH` (embedded, the default) or
/// `mysql://user:pass@host:port/db` (MySQL/MariaDB, a later issue).
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case mysql(String)

    public init(_ text: String) throws(StoreError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw StoreError.invalidURL("sqlite: needs a path, e.g. sqlite:coupons.sqlite") }
            self = .sqlite(path: path)
        } else if text.hasPrefix("mysql://") {
            self = .mysql(text)
        } else {
            throw StoreError.invalidURL("expected sqlite:PATH or mysql://user:pass@host:port/db, got '\(text)'")
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .mysql: return "mysql://…"
        }
    }
}
