import CSQLite

/// A prepared statement, owned by the `SQLiteConnection` that cached it.
final class SQLiteStatement {
    let handle: OpaquePointer
    let sql: String
    private unowned let connection: SQLiteConnection

    init(handle: OpaquePointer, sql: String, connection: SQLiteConnection) {
        self.handle = handle
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds values to ?1, ?2, … in order.
    func bind(_ values: [SQLValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch value {
            case .integer(let number): result = sqlite3_bind_int64(handle, index, number)
            case .text(let text): result = sqlite3_bind_text(handle, index, text, -1, sqliteTransient)
            case .null: result = sqlite3_bind_null(handle, index)
            }
            try connection.check(result, sql: sql)
        }
    }

    /// Steps once: true while a row is available.
    func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(handle)
        if result == SQLITE_ROW { return true }
        if result == SQLITE_DONE { return false }
        try connection.check(result, sql: sql)
        return false
    }

    func int64(_ column: Int) -> Int64 { sqlite3_column_int64(handle, Int32(column)) }

    func text(_ column: Int) -> String? {
        guard let pointer = sqlite3_column_text(handle, Int32(column)) else { return nil }
        return String(cString: pointer)
    }

    func isNull(_ column: Int) -> Bool { sqlite3_column_type(handle, Int32(column)) == SQLITE_NULL }

    var columnCount: Int { Int(sqlite3_column_count(handle)) }
}

/// `sqliteTransient` is a macro Swift cannot import: SQLite copies the bound bytes.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
