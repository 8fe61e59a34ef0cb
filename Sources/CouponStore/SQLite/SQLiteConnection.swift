import CSQLite

/// Owns one `sqlite3` handle. Not thread-safe, like the handle: callers confine it to one thread
/// (see `SQLiteDatabase`). Statements are prepared once and cached by their SQL.
public final class SQLiteConnection: SQLConnection {
    private let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]
    public let path: String

    /// Opens (creating if needed) in WAL mode with a busy timeout, so several processes can share
    /// one file: readers never block the writer, writers wait for each other instead of failing.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 10_000) throws(SQLiteError) {
        _ = sqliteConfigured
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let result = sqlite3_open_v2(path, &handle, flags, nil)
        guard result == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            let code = handle.map { sqlite3_extended_errcode($0) } ?? result
            sqlite3_close(handle)
            throw SQLiteError(code: code, message: "\(message): \(path)", sql: nil)
        }
        self.handle = handle
        self.path = path
        // Extended codes tell apart, say, a short write from a failed fsync; the primary code is
        // still their low byte.
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        try execute("PRAGMA journal_mode = WAL")
        // In WAL mode NORMAL is durable against process crashes (a committed batch survives
        // kill -9); only a power loss can take back the last commits, and the log still has them.
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
    }

    public var dialect: SQLDialect { .sqlite }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements without parameters (DDL, pragmas, BEGIN/COMMIT).
    public func execute(_ sql: String) throws(SQLiteError) {
        var error: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &error)
        if result != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw SQLiteError(code: result, message: message, sql: sql)
        }
    }

    /// Runs a cached statement with parameters; returns the rows it changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> Int {
        try run(try prepared(sql), values)
    }

    private func run(_ statement: SQLiteStatement, _ values: some Collection<SQLValue>) throws(SQLiteError) -> Int {
        try statement.withBindings(values) { () throws(SQLiteError) -> Int in
            while try statement.step() {}
            return Int(sqlite3_changes(handle))
        }
    }

    /// In multi-row statements (`FixedChunks`): no round trip to save here, but each statement
    /// run has a fixed cost (its start, its end, a reset), and a batch of 1,000 events then takes
    /// 10 statements per table instead of 1,000.
    public func insert(_ insert: RowInsert, _ rows: [[SQLValue]]) throws -> Int {
        try insert.inChunks(rows, .sqlite) { sql, chunk in try run(try prepared(sql), chunk.joined()) }
    }

    /// Runs a cached query and hands each row to `row`.
    public func query(_ sql: String, _ values: [SQLValue], row: (SQLiteRow) throws -> Void) throws {
        let statement = try prepared(sql)
        var failure: (any Error)?
        try statement.withBindings(values) { () throws(SQLiteError) in
            while failure == nil, try statement.step() {
                do { try row(SQLiteRow(statement: statement)) } catch { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws. IMMEDIATE takes
    /// the write lock up front, so two writers wait on the busy timeout rather than deadlock.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        // A failed COMMIT (a full disk, say) can leave the transaction open: end it before the next.
        if sqlite3_get_autocommit(handle) == 0 { try? execute("ROLLBACK") }
        return try transaction(begin: "BEGIN IMMEDIATE", body)
    }

    private func prepared(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let result = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard result == SQLITE_OK, let statement else {
            throw SQLiteError(code: result, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
        }
        let cached = SQLiteStatement(handle: statement, sql: sql)
        statements[sql] = cached
        return cached
    }
}

/// Process-wide settings, applied once before SQLite initializes (that is, before the first open;
/// `sqlite3_config` refuses them later, and SQLite then keeps its defaults). Debian's build counts
/// every allocation for `sqlite3_memory_used` under one process-wide mutex: a projecting worker
/// took and released it on every row it wrote (~5% of its CPU), and nothing here reads the counts.
private let sqliteConfigured: Void = {
    _ = coupon_sqlite3_config_memstatus(0)
}()
