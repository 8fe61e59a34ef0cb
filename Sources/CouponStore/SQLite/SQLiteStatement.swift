import CSQLite

/// A prepared statement, owned by the `SQLiteConnection` that cached it.
final class SQLiteStatement {
    let handle: OpaquePointer
    let sql: String

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    /// The bytes of the bound strings (see `withBindings`); grows to the largest row bound.
    private var boundBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 1)

    deinit {
        sqlite3_finalize(handle)
        boundBytes.deallocate()
    }

    /// Binds values to ?1, ?2, … in order and runs `body` (which steps) while they are bound, then
    /// resets; `values` is read twice (sized, then bound). Text is bound in place rather than
    /// copied by SQLite: the statement's own buffer holds every string's bytes until the reset. A
    /// projected event binds six strings, and SQLite's copies of them (an allocation, a `strlen`
    /// and a free each) were ~8% of a worker's CPU.
    func withBindings<T>(_ values: some Collection<SQLValue>, _ body: () throws(SQLiteError) -> T) throws(SQLiteError)
        -> T
    {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        // No binding outlives the bytes it points to: reset and cleared before the buffer changes.
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        var size = 1
        for case .text(let text) in values { size += text.utf8.count }
        if boundBytes.count < size { boundBytes = .reallocate(boundBytes, to: size) }
        var end = 0
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch value {
            case .integer(let number): result = sqlite3_bind_int64(handle, index, number)
            case .null: result = sqlite3_bind_null(handle, index)
            case .text(var string):
                // Never a null pointer, which would bind NULL: an empty string points into the buffer too.
                let start = boundBytes.baseAddress! + end
                let count = string.withUTF8 { bytes in
                    UnsafeMutableRawBufferPointer(rebasing: boundBytes[end...]).copyMemory(
                        from: UnsafeRawBufferPointer(bytes))
                    return bytes.count
                }
                end += count
                result = sqlite3_bind_text(
                    handle, index, start.assumingMemoryBound(to: CChar.self), Int32(count), sqliteStatic)
            }
            try check(result)
        }
        return try body()
    }

    /// Errors name the statement's own connection (no reference to the `SQLiteConnection` is kept:
    /// an `unowned` one cost a check of it on every bound value).
    private func check(_ result: Int32) throws(SQLiteError) {
        try SQLiteError.check(result, database: sqlite3_db_handle(handle), sql: sql)
    }

    /// Steps once: true while a row is available.
    func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(handle)
        if result == SQLITE_ROW { return true }
        if result == SQLITE_DONE { return false }
        try check(result)
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

/// `SQLITE_STATIC` is a macro Swift cannot import: SQLite uses the bound bytes where they are,
/// until the statement is reset or bound again.
private let sqliteStatic = unsafeBitCast(0, to: sqlite3_destructor_type.self)

extension UnsafeMutableRawBufferPointer {
    /// A larger buffer in place of `buffer` (deallocated); the contents are not kept.
    fileprivate static func reallocate(_ buffer: Self, to size: Int) -> Self {
        buffer.deallocate()
        return .allocate(byteCount: Swift.max(size, 2 * buffer.count), alignment: 1)
    }
}
