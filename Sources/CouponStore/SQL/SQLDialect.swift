/// Where the SQL of the projection's engines differs. Everything else — the tables (one set of
/// `Migrations/` files), the queries, plain `?` parameters — is written once for both.
public enum SQLDialect: Sendable {
    case sqlite
    case mariadb

    /// What makes an INSERT skip a row whose key (any primary or unique key) is taken, and report
    /// it as not changed. On MariaDB not `INSERT IGNORE`: that would also turn truncations and bad
    /// values into warnings; an update of a key column to itself changes nothing and counts 0.
    func skipTaken(key: String) -> String {
        switch self {
        case .sqlite: return "ON CONFLICT DO NOTHING"
        case .mariadb: return "ON DUPLICATE KEY UPDATE \(key) = \(key)"
        }
    }

    /// Appended to a read whose row is then written on: SQLite's write transaction already holds
    /// the only write lock; InnoDB must lock the row (and read its newest committed version, not
    /// the transaction's snapshot) so that two workers cannot both act on an old value.
    public var lockingRead: String {
        switch self {
        case .sqlite: return ""
        case .mariadb: return " FOR UPDATE"
        }
    }

    /// Whether DDL can run inside a transaction (SQLite) or commits on its own (MariaDB/MySQL).
    var transactionalDDL: Bool { self == .sqlite }
}
