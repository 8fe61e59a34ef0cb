/// A failed Connector/C call: the error number, the SQLSTATE, the message, and the statement.
public struct MariaDBError: Error, Sendable, CustomStringConvertible, DatabaseFailure {
    public let number: UInt32
    public let sqlState: String
    public let message: String
    public let sql: String?

    public init(number: UInt32, sqlState: String, message: String, sql: String?) {
        self.number = number
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
    }

    /// The server or the connection cannot work right now; the same work may succeed later:
    /// deadlock (1213) and lock-wait timeout (1205), read-only server (1290, 1836), disk or table
    /// full (1021, 1114) and write errors (3), too many connections (1040), shutdown in progress
    /// (1053), connection killed (1927), and the client's lost or refused connections (2002, 2003,
    /// 2006, 2013, 2055).
    public var isTransient: Bool { MariaDBError.transientNumbers.contains(number) }

    /// The connection is gone: the next call must reconnect.
    public var isConnectionLost: Bool { [2002, 2003, 2006, 2013, 2055, 1053, 1927].contains(number) }

    static let transientNumbers: Set<UInt32> = [
        3, 1021, 1040, 1053, 1114, 1205, 1213, 1290, 1836, 1927, 2002, 2003, 2006, 2013, 2055,
    ]

    public var description: String {
        let statement = sql.map { " (in: \($0.prefix(200)))" } ?? ""
        return "MariaDB error \(number) (SQLSTATE \(sqlState)): \(message)\(statement)"
    }
}
