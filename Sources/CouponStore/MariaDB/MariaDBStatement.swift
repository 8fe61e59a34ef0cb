import CMariaDB

#if canImport(Glibc)
    import Glibc
#endif

/// A prepared statement, owned by the `MariaDBConnection` that cached it. Parameters are bound
/// from Swift values for one execution; result columns are fetched as text, each in a buffer of
/// its own exact length (`mysql_stmt_fetch_column`), so no value is ever cut.
final class MariaDBStatement {
    let handle: UnsafeMutablePointer<MYSQL_STMT>
    let sql: String
    let parameterCount: Int
    let columnCount: Int

    init(connection: UnsafeMutablePointer<MYSQL>, sql: String) throws(MariaDBError) {
        guard let handle = mysql_stmt_init(connection) else {
            throw MariaDBConnection.error(of: connection, sql: sql)
        }
        if mysql_stmt_prepare(handle, sql, UInt(sql.utf8.count)) != 0 {
            let error = MariaDBStatement.error(of: handle, sql: sql)
            mysql_stmt_close(handle)
            throw error
        }
        self.handle = handle
        self.sql = sql
        parameterCount = Int(mysql_stmt_param_count(handle))
        if let metadata = mysql_stmt_result_metadata(handle) {
            columnCount = Int(mysql_num_fields(metadata))
            mysql_free_result(metadata)
        } else {
            columnCount = 0
        }
    }

    deinit { mysql_stmt_close(handle) }

    /// Executes with `values`; returns the rows changed.
    func execute(_ values: [MariaDBValue]) throws(MariaDBError) -> Int {
        try bindAndExecute(values)
        return Int(truncatingIfNeeded: mysql_stmt_affected_rows(handle))
    }

    /// Executes with `values` and hands each row to `row`.
    func query(_ values: [MariaDBValue], row: (MariaDBRow) throws -> Void) throws {
        try bindAndExecute(values)
        defer { mysql_stmt_free_result(handle) }
        guard mysql_stmt_store_result(handle) == 0 else { throw MariaDBStatement.error(of: handle, sql: sql) }
        var lengths = [UInt](repeating: 0, count: columnCount)
        var nulls = [CChar](repeating: 0, count: columnCount)
        var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: columnCount)
        try lengths.withUnsafeMutableBufferPointer { lengths in
            try nulls.withUnsafeMutableBufferPointer { nulls in
                for column in 0..<columnCount {
                    binds[column].buffer_type = MYSQL_TYPE_STRING
                    binds[column].length = lengths.baseAddress! + column
                    binds[column].is_null = nulls.baseAddress! + column
                }
                guard mysql_stmt_bind_result(handle, &binds) == 0 else {
                    throw MariaDBStatement.error(of: handle, sql: sql)
                }
                while true {
                    // Zero-length buffers: every non-empty column reports truncation, then is
                    // fetched whole into a buffer of its length.
                    let status = mysql_stmt_fetch(handle)
                    if status == MYSQL_NO_DATA { return }
                    guard status == 0 || status == MYSQL_DATA_TRUNCATED else {
                        throw MariaDBStatement.error(of: handle, sql: sql)
                    }
                    var values: [MariaDBValue] = []
                    values.reserveCapacity(columnCount)
                    for column in 0..<columnCount {
                        if nulls[column] != 0 {
                            values.append(.null)
                            continue
                        }
                        let length = Int(lengths[column])
                        var bytes = [UInt8](repeating: 0, count: max(length, 1))
                        if length > 0 {
                            let fetched = bytes.withUnsafeMutableBytes { buffer -> Int32 in
                                var bind = MYSQL_BIND()
                                bind.buffer_type = MYSQL_TYPE_STRING
                                bind.buffer = buffer.baseAddress
                                bind.buffer_length = UInt(length)
                                return mysql_stmt_fetch_column(handle, &bind, UInt32(column), 0)
                            }
                            guard fetched == 0 else { throw MariaDBStatement.error(of: handle, sql: sql) }
                        }
                        values.append(.text(String(decoding: bytes.prefix(length), as: UTF8.self)))
                    }
                    try row(MariaDBRow(values: values))
                }
            }
        }
    }

    private func bindAndExecute(_ values: [MariaDBValue]) throws(MariaDBError) {
        guard values.count == parameterCount else {
            throw MariaDBError(
                number: 2034, sqlState: "HY000",
                message: "\(values.count) values for \(parameterCount) parameters", sql: sql)
        }
        // The bound buffers must live until the execution is done.
        var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: values.count)
        var storage: [UnsafeMutableRawPointer] = []
        defer { for pointer in storage { free(pointer) } }
        for (index, value) in values.enumerated() {
            switch value {
            case .integer(let number):
                let pointer = malloc(MemoryLayout<Int64>.size)!
                pointer.storeBytes(of: number, as: Int64.self)
                storage.append(pointer)
                binds[index].buffer_type = MYSQL_TYPE_LONGLONG
                binds[index].buffer = pointer
            case .text(let text):
                let bytes = Array(text.utf8)
                let pointer = malloc(max(bytes.count, 1))!
                bytes.withUnsafeBytes {
                    pointer.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(pointer), byteCount: $0.count)
                }
                storage.append(pointer)
                binds[index].buffer_type = MYSQL_TYPE_STRING
                binds[index].buffer = pointer
                binds[index].buffer_length = UInt(bytes.count)
            case .null:
                binds[index].buffer_type = MYSQL_TYPE_NULL
            }
        }
        if !binds.isEmpty, mysql_stmt_bind_param(handle, &binds) != 0 {
            throw MariaDBStatement.error(of: handle, sql: sql)
        }
        if mysql_stmt_execute(handle) != 0 { throw MariaDBStatement.error(of: handle, sql: sql) }
    }

    static func error(of handle: UnsafeMutablePointer<MYSQL_STMT>, sql: String) -> MariaDBError {
        MariaDBError(
            number: mysql_stmt_errno(handle), sqlState: String(cString: mysql_stmt_sqlstate(handle)),
            message: String(cString: mysql_stmt_error(handle)), sql: sql)
    }
}
