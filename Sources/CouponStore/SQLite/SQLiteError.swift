import CSQLite

/// A failed SQLite call: the extended result code (extended codes are on for every connection),
/// SQLite's message, and the SQL it was running.
public struct SQLiteError: Error, Sendable, CustomStringConvertible, DatabaseFailure {
    /// The extended result code, e.g. 3338 (SQLITE_IOERR_WRITE); its low byte is the primary code.
    public let code: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, message: String, sql: String?) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// Throws for a result that is not OK, ROW or DONE, with `database`'s message.
    static func check(_ result: Int32, database: OpaquePointer?, sql: String?) throws(SQLiteError) {
        guard result != SQLITE_OK && result != SQLITE_ROW && result != SQLITE_DONE else { return }
        throw SQLiteError(code: result, message: String(cString: sqlite3_errmsg(database)), sql: sql)
    }

    /// The primary result code, e.g. 10 (SQLITE_IOERR) for every IOERR variant.
    public var primaryCode: Int32 { code & 0xFF }

    /// The database or the connection cannot work right now; the same statement may succeed later.
    /// BUSY and LOCKED: another connection holds a lock; NOMEM; READONLY (e.g. the file's
    /// permissions or a read-only remount); IOERR; FULL (disk or quota); CANTOPEN (the file or its
    /// journal cannot be opened); PROTOCOL (a WAL lock race).
    public var isTransient: Bool { SQLiteError.transientPrimaryCodes.contains(primaryCode) }

    static let transientPrimaryCodes: Set<Int32> = [5, 6, 7, 8, 10, 13, 14, 15]

    static let primaryNames: [Int32: String] = [
        1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT", 5: "SQLITE_BUSY",
        6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY", 9: "SQLITE_INTERRUPT", 10: "SQLITE_IOERR",
        11: "SQLITE_CORRUPT", 12: "SQLITE_NOTFOUND", 13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN", 15: "SQLITE_PROTOCOL",
        17: "SQLITE_SCHEMA", 18: "SQLITE_TOOBIG", 19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE",
        23: "SQLITE_AUTH", 25: "SQLITE_RANGE", 26: "SQLITE_NOTADB",
    ]

    public var description: String {
        let name = SQLiteError.primaryNames[primaryCode] ?? "SQLITE_\(primaryCode)"
        let codes = code == primaryCode ? "\(name)" : "\(name), extended \(code)"
        if let sql { return "SQLite error \(primaryCode) (\(codes)): \(message) (in: \(sql.prefix(200)))" }
        return "SQLite error \(primaryCode) (\(codes)): \(message)"
    }
}
