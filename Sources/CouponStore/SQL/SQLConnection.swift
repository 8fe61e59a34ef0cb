/// A connection to one of the projection's engines (SQLite, MariaDB/MySQL): the projection, the
/// migrator and the audit reads are written once on top of it. Blocking and not thread-safe, like
/// the handles under it: a connection is only ever used on its `DatabaseQueue`. (Its type, not a
/// connection, travels into the closures sent to that queue: hence `SendableMetatype`.)
public protocol SQLConnection: AnyObject, SendableMetatype {
    associatedtype Row: SQLRow
    /// Where the engine's SQL differs.
    var dialect: SQLDialect { get }
    /// Runs one statement without parameters (DDL, BEGIN/COMMIT), discarding any result.
    func execute(_ sql: String) throws
    /// Runs a cached prepared statement with parameters; returns the rows it changed.
    @discardableResult func run(_ sql: String, _ values: [SQLValue]) throws -> Int
    /// Runs a cached prepared query and hands each row to `row`.
    func query(_ sql: String, _ values: [SQLValue], row: (Row) throws -> Void) throws
    /// Inserts `rows`, skipping those whose key is taken, in as few round trips as the engine
    /// allows; returns how many it inserted.
    func insert(_ insert: RowInsert, _ rows: [[SQLValue]]) throws -> Int
    /// Runs `body` in one write transaction, rolling back if it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// Checks the engine's settings the schema relies on, before and after migrating (MariaDB:
    /// binary collations for ids).
    func prepareSchema() throws
    func verifySchema() throws
}

extension SQLConnection {
    public func prepareSchema() throws {}
    public func verifySchema() throws {}

    /// Runs `body` between `begin` and COMMIT, rolling back if it throws: the wrapper each
    /// engine's `transaction` is written with.
    func transaction<T>(begin: String, _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public func query(_ sql: String, row: (Row) throws -> Void) throws {
        try query(sql, [], row: row)
    }

    /// Every row of a query, each as `SQLRow.joined`.
    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [String] {
        var rows: [String] = []
        try query(sql, values) { rows.append($0.joined) }
        return rows
    }
}
