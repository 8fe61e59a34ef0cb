import Foundation

/// Applies `Migration.all` in order, each with its `schema_migrations` row, so running it again
/// (or from several processes at once) changes nothing. The same files serve both engines, but for
/// a version written once per engine (`Migration.engine`): each runs its own.
///
/// SQLite runs each migration in one transaction with its row. MariaDB/MySQL commit every DDL
/// statement on its own, so there the migrator holds a named server lock for the whole run
/// (four workers starting together migrate one after another) and runs the statements one by one.
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
    static let lockName = "coupon.schema_migrations"

    /// Returns the versions it applied (empty when the schema was already current).
    public func migrate<Connection: SQLConnection>(_ connection: Connection) throws -> [Int64] {
        // DDL inside a transaction (SQLite): each migration is atomic with its row, nothing to lock.
        guard !connection.dialect.transactionalDDL else { return try migrateEach(connection) }
        var locked: Int64 = 0
        try connection.query("SELECT GET_LOCK(?, 60)", [.text(Migrator.lockName)]) { locked = $0.int64(0) }
        guard locked == 1 else {
            throw StoreError.unsupported("another process has been migrating this database for 60 s; try again")
        }
        defer { _ = try? connection.rows("SELECT RELEASE_LOCK(?)", [.text(Migrator.lockName)]) }
        try connection.prepareSchema()
        let applied = try migrateEach(connection)
        try connection.verifySchema()
        return applied
    }

    private func migrateEach<Connection: SQLConnection>(_ connection: Connection) throws -> [Int64] {
        try connection.execute(Migrator.bootstrap)
        var applied: [Int64] = []
        for migration in migrations where migration.runs(on: connection.dialect) {
            let ran: Bool
            if connection.dialect.transactionalDDL {
                // Checked inside the write transaction: a concurrent migrator waits, then sees the row.
                ran = try connection.transaction { try apply(migration, connection) }
            } else {
                ran = try apply(migration, connection)
            }
            if ran { applied.append(migration.version) }
        }
        return applied
    }

    private func apply<Connection: SQLConnection>(_ migration: Migration, _ connection: Connection) throws -> Bool {
        if try !connection.rows("SELECT 1 FROM schema_migrations WHERE version = ?", [.integer(migration.version)])
            .isEmpty
        {
            return false
        }
        for statement in migration.statements { try connection.execute(statement) }
        try connection.run(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
            [.integer(migration.version), .integer(Int64(Date().timeIntervalSince1970 * 1000))])
        return true
    }
}
