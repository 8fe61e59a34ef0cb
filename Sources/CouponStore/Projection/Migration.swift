import Foundation

/// One SQL file of `Migrations/`, carried inside the binary (a runtime image has no source tree).
///
/// A file runs on both engines, except where their SQL has no common form: then the version has
/// one file per engine, `NNNN_name.sqlite.sql` and `NNNN_name.mariadb.sql` (`engine` says which).
public struct Migration: Sendable, Equatable {
    public let version: Int64
    public let name: String
    public let sql: String
    /// The only engine this file is for; nil: both.
    public let engine: SQLDialect?

    /// Every migration file, in the folder's order. A new file in Migrations/ needs its line here;
    /// a test checks that this list and the folder agree.
    public static let all: [Migration] = [
        Migration(version: 1, name: "0001_initial.sql", sql: PackageResources._001_initial_sql),
        Migration(version: 2, name: "0002_audit.sql", sql: PackageResources._002_audit_sql),
        Migration(version: 3, name: "0003_deployment.sql", sql: PackageResources._003_deployment_sql),
        Migration(
            version: 4, name: "0004_unused_index.mariadb.sql", sql: PackageResources._004_unused_index_mariadb_sql,
            engine: .mariadb),
        Migration(
            version: 4, name: "0004_unused_index.sqlite.sql", sql: PackageResources._004_unused_index_sqlite_sql,
            engine: .sqlite),
    ]

    /// The migrations one engine runs, in version order: one per version.
    public static func all(for engine: SQLDialect) -> [Migration] {
        all.filter { $0.runs(on: engine) }
    }

    /// Whether `engine` runs this file: a file for both, or the one written for it.
    public func runs(on engine: SQLDialect) -> Bool {
        self.engine.map { $0 == engine } ?? true
    }

    /// The file's statements one by one, comments left out: MariaDB runs one statement per call.
    /// (The files keep `;` out of comments and string literals.)
    public var statements: [String] {
        sql.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            .joined(separator: "\n").split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }

    init(version: Int64, name: String, sql bytes: [UInt8], engine: SQLDialect? = nil) {
        self.version = version
        self.name = name
        self.sql = String(decoding: bytes, as: UTF8.self)
        self.engine = engine
    }
}
