import Foundation

/// Where the projection lives: `sqlite:PATH` (embedded, the default) or
/// `mysql://user:pass@host:port/db` or `mysql://user:pass@localhost/db?socket=PATH` (MariaDB or
/// MySQL).
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
            _ = try MariaDBConfiguration(url: text)  // refused here, before anything connects
            self = .mysql(text)
        } else {
            throw StoreError.invalidURL(
                "expected sqlite:PATH or mysql://user:pass@host:port/db, got '\(DatabaseURL.masked(text).prefix(80))'")
        }
    }

    /// A database URL as errors show it: the password replaced, or only its scheme when it does
    /// not parse. A mistyped URL still carries a password, so errors never echo one whole.
    static func masked(_ url: String) -> String {
        guard var components = URLComponents(string: url) else {
            return String(url.prefix { $0 != ":" }) + "://…"
        }
        if components.password != nil { components.password = "***" }
        return components.string ?? "…"
    }

    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") || path == ":memory:" { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .mysql(let url): return DatabaseURL.masked(url)
        }
    }
}
