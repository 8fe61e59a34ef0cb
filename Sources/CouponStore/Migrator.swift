import Foundation

/// Applies `Migration.all` in order, each in its own transaction with its `schema_migrations` row,
/// so running it again (or from several processes at once) changes nothing.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration] = Migration.all) {
        self.migrations = migrations
    }

    static let bootstrap = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT NOT NULL PRIMARY KEY,
            applied_at BIGINT NOT NULL
        )
        """

    /// Returns the versions it applied (empty when the schema was already current).
    public func migrate(_ connection: SQLiteConnection) throws -> [Int64] {
        try connection.execute(Migrator.bootstrap)
        var applied: [Int64] = []
        for migration in migrations {
            // Checked inside the write transaction: a concurrent migrator waits, then sees the row.
            let ran = try connection.transaction { () throws -> Bool in
                var present = false
                try connection.query(
                    "SELECT 1 FROM schema_migrations WHERE version = ?1", [.integer(migration.version)]
                ) { _ in present = true }
                if present { return false }
                try connection.execute(migration.sql)
                try connection.run(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                    [.integer(migration.version), .integer(Int64(Date().timeIntervalSince1970 * 1000))])
                return true
            }
            if ran { applied.append(migration.version) }
        }
        return applied
    }
}
