import Foundation

/// Where the projection lives: `sqlite:PATH` (embedded, the default) or
/// `mysql://user:pass@host:port/db` (MySQL/MariaDB, a later issue).
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    /// An absolute path: a relative one is resolved against the working directory when parsed,
    /// so logs and errors name the file actually opened.
    case sqlite(path: String)
    case mysql(String)

    public init(_ text: String) throws(StoreError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw StoreError.invalidURL("sqlite: needs a path, e.g. sqlite:coupons.sqlite") }
            self = .sqlite(path: DatabaseURL.absolute(path))
        } else if text.hasPrefix("mysql://") {
            self = .mysql(text)
        } else {
            // Never echo the text whole: a mistyped URL may carry a password.
            let shown = text.contains("@") ? "\(text.prefix { $0 != ":" && $0 != "@" }):…" : String(text.prefix(80))
            throw StoreError.invalidURL("expected sqlite:PATH or mysql://user:pass@host:port/db, got '\(shown)'")
        }
    }

    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") || path == ":memory:" { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .mysql: return "mysql://…"
        }
    }
}
