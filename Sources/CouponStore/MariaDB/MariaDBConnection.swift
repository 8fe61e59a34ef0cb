import CMariaDB

/// Owns one Connector/C `MYSQL` handle. Blocking and not thread-safe, like the handle: callers
/// confine it to one thread (see `DatabaseQueue`). Statements are prepared once and cached by
/// their SQL. Every session is `utf8mb4` with a binary, no-pad collation (so `u-42`, `U-42` and
/// `u-42 ` are three different ids) and strict SQL mode (a value that does not fit is an error,
/// never a silent truncation). After the connection is lost (server restarted, connection killed)
/// the failing call throws a transient error and the next call connects again.
public final class MariaDBConnection: SQLConnection {
    public let configuration: MariaDBConfiguration
    private var handle: UnsafeMutablePointer<MYSQL>?
    private var statements: [String: MariaDBStatement] = [:]
    /// True when the server is MariaDB; MySQL servers answer otherwise (and lack bulk execution).
    public private(set) var serverIsMariaDB = false
    /// How `insert` sends many rows: array binding on MariaDB, multi-row VALUES on MySQL, unless
    /// set otherwise (the tests run both against MariaDB).
    public var batching: MariaDBBatching

    public static let strictMode =
        "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"

    /// The binary collation without trailing-space padding: MariaDB's and MySQL 8's names for it.
    public var binaryCollation: String { serverIsMariaDB ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin" }

    public init(_ configuration: MariaDBConfiguration, batching: MariaDBBatching? = nil) throws(MariaDBError) {
        self.configuration = configuration
        self.batching = .arrayBinding
        try connect()
        self.batching = batching ?? (serverIsMariaDB ? .arrayBinding : .multiRowValues)
    }

    deinit { close() }

    public var dialect: SQLDialect { .mariadb }

    /// Runs one statement without parameters (DDL, BEGIN/COMMIT), discarding any result.
    public func execute(_ sql: String) throws(MariaDBError) {
        let handle = try open()
        if mysql_real_query(handle, sql, UInt(sql.utf8.count)) != 0 {
            throw lost(MariaDBConnection.error(of: handle, sql: sql))
        }
        if let result = mysql_store_result(handle) { mysql_free_result(result) }
    }

    /// Runs a cached prepared statement with parameters; returns the rows it changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(MariaDBError) -> Int {
        let statement = try prepared(sql)
        do {
            return try statement.execute(values)
        } catch {
            throw failed(error)
        }
    }

    /// Inserts `rows` as `batching` says; returns the rows inserted (a skipped row counts 0).
    public func insert(_ insert: RowInsert, _ rows: [[SQLValue]]) throws -> Int {
        switch batching {
        case .arrayBinding:
            let statement = try prepared(insert.statement(rows: 1, .mariadb))
            do {
                return try statement.executeArray(rows)
            } catch {
                throw failed(error)
            }
        case .multiRowValues:
            return try insert.inChunks(rows, .mariadb) { sql, chunk in try run(sql, Array(chunk.joined())) }
        }
    }

    /// Runs a cached prepared query and hands each row to `row`.
    public func query(_ sql: String, _ values: [SQLValue], row: (MariaDBRow) throws -> Void) throws {
        let statement = try prepared(sql)
        do {
            try statement.query(values, row: row)
        } catch let error as MariaDBError {
            throw failed(error)
        }
    }

    /// Runs `body` inside a transaction, rolling back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try transaction(begin: "START TRANSACTION", body)
    }

    public func close() {
        statements.removeAll()
        if let handle { mysql_close(handle) }
        handle = nil
    }

    private func connect() throws(MariaDBError) {
        guard let handle = mysql_init(nil) else {
            throw MariaDBError(
                number: 2008, sqlState: "HY000", message: "Connector/C could not allocate a handle", sql: nil)
        }
        var timeout = configuration.connectTimeoutSeconds
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &timeout)
        // No read or write waits forever (a server gone silent, a protocol out of step): longer
        // than InnoDB's lock wait (50 s by default), so a lock wait still ends with its own error.
        var ioTimeout = configuration.ioTimeoutSeconds
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &ioTimeout)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &ioTimeout)
        _ = "utf8mb4".withCString { mysql_options(handle, MYSQL_SET_CHARSET_NAME, $0) }
        let connected = mysql_real_connect(
            handle, configuration.host, configuration.user, configuration.password, configuration.database,
            UInt32(configuration.port), configuration.socket, 0)
        guard connected != nil else {
            let error = MariaDBConnection.error(of: handle, sql: nil)
            mysql_close(handle)
            throw error
        }
        self.handle = handle
        serverIsMariaDB = mysql_get_server_info(handle).map { String(cString: $0).contains("MariaDB") } ?? false
        do {
            try execute("SET NAMES utf8mb4 COLLATE \(binaryCollation)")
            try execute("SET SESSION sql_mode = '\(MariaDBConnection.strictMode)'")
        } catch {
            close()
            throw error
        }
    }

    /// The handle, connecting first if the last connection was lost.
    private func open() throws(MariaDBError) -> UnsafeMutablePointer<MYSQL> {
        if handle == nil { try connect() }
        return handle!  // connect() set it or threw
    }

    private func prepared(_ sql: String) throws(MariaDBError) -> MariaDBStatement {
        if let statement = statements[sql] { return statement }
        let handle = try open()
        do {
            let statement = try MariaDBStatement(connection: handle, sql: sql)
            statements[sql] = statement
            return statement
        } catch {
            throw lost(error)
        }
    }

    /// A prepared statement that failed (a deadlock, a lock-wait timeout, a constraint) closes the
    /// connection, whatever the error: Connector/C 3.3 could be left waiting for a reply the
    /// server never sends, and the next call on that connection then sat out the 120-s read
    /// timeout while the server showed it idle — after a bulk execution failed part-way (a CI run
    /// hung in the next query's read), and after a `SELECT … FOR UPDATE` failed (a 4-writer test
    /// on the multi-row path, about one run in ten). Every such failure ends the caller's
    /// transaction anyway (the store rolls back on any error, the migrator gives up), so closing
    /// costs a reconnect and loses nothing.
    private func failed(_ error: MariaDBError) -> MariaDBError {
        close()
        return error
    }

    /// A lost connection is closed, so that the next call connects again.
    private func lost(_ error: MariaDBError) -> MariaDBError {
        if error.isConnectionLost { close() }
        return error
    }

    static func error(of handle: UnsafeMutablePointer<MYSQL>, sql: String?) -> MariaDBError {
        MariaDBError(
            number: mysql_errno(handle), sqlState: String(cString: mysql_sqlstate(handle)),
            message: String(cString: mysql_error(handle)), sql: sql)
    }
}
