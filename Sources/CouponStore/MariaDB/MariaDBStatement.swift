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
    func execute(_ values: [SQLValue]) throws(MariaDBError) -> Int {
        try bindAndExecute(values)
        return Int(truncatingIfNeeded: mysql_stmt_affected_rows(handle))
    }

    /// Executes with `values` and hands each row to `row`.
    func query(_ values: [SQLValue], row: (MariaDBRow) throws -> Void) throws {
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
                    var values: [SQLValue] = []
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

    /// Executes once with every row of `rows` bound column by column (MariaDB's bulk execution,
    /// `STMT_ATTR_ARRAY_SIZE`); returns the rows changed in all. Strings are bound as an array of
    /// pointers into one buffer holding them all, with an array of their lengths; NULLs through
    /// the indicator array.
    func executeArray(_ rows: [[SQLValue]]) throws(MariaDBError) -> Int {
        guard let first = rows.first else { return 0 }
        guard first.count == parameterCount, rows.allSatisfy({ $0.count == parameterCount }) else {
            throw MariaDBError(
                number: 2034, sqlState: "HY000", message: "rows do not all have \(parameterCount) values", sql: sql)
        }
        let count = rows.count
        var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: parameterCount)
        var storage: [UnsafeMutableRawPointer] = []
        defer { for pointer in storage { free(pointer) } }
        func allocate<T>(_ type: T.Type, _ n: Int) -> UnsafeMutablePointer<T> {
            let raw = malloc(max(n, 1) * MemoryLayout<T>.stride)!
            storage.append(raw)
            return raw.bindMemory(to: T.self, capacity: max(n, 1))
        }
        for column in 0..<parameterCount {
            let indicators = allocate(CChar.self, count)
            var isText = false
            for row in rows {
                if case .text = row[column] { isText = true }
            }
            if isText {
                var total = 0
                for row in rows {
                    switch row[column] {
                    case .text(let text): total += text.utf8.count
                    case .null: break
                    case .integer:
                        throw MariaDBError(
                            number: 2036, sqlState: "HY000", message: "column \(column) mixes text and numbers",
                            sql: sql)
                    }
                }
                let bytes = allocate(UInt8.self, total)
                let pointers = allocate(UnsafeMutablePointer<CChar>?.self, count)
                let lengths = allocate(UInt.self, count)
                var offset = 0
                for (index, row) in rows.enumerated() {
                    guard case .text(var text) = row[column] else {
                        indicators[index] = CChar(STMT_INDICATOR_NULL.rawValue)
                        pointers[index] = nil
                        lengths[index] = 0
                        continue
                    }
                    let length = text.withUTF8 { utf8 in
                        if let source = utf8.baseAddress { (bytes + offset).update(from: source, count: utf8.count) }
                        return utf8.count
                    }
                    indicators[index] = CChar(STMT_INDICATOR_NONE.rawValue)
                    pointers[index] = UnsafeMutableRawPointer(bytes + offset).assumingMemoryBound(to: CChar.self)
                    lengths[index] = UInt(length)
                    offset += length
                }
                binds[column].buffer_type = MYSQL_TYPE_STRING
                binds[column].buffer = UnsafeMutableRawPointer(pointers)
                binds[column].length = lengths
            } else {
                let numbers = allocate(Int64.self, count)
                for (index, row) in rows.enumerated() {
                    if case .integer(let number) = row[column] {
                        numbers[index] = number
                        indicators[index] = CChar(STMT_INDICATOR_NONE.rawValue)
                    } else {
                        numbers[index] = 0
                        indicators[index] = CChar(STMT_INDICATOR_NULL.rawValue)
                    }
                }
                binds[column].buffer_type = MYSQL_TYPE_LONGLONG
                binds[column].buffer = UnsafeMutableRawPointer(numbers)
            }
            binds[column].u.indicator = indicators
        }
        var size = UInt32(count)
        defer {
            var single: UInt32 = 0
            mysql_stmt_attr_set(handle, STMT_ATTR_ARRAY_SIZE, &single)
        }
        guard mysql_stmt_attr_set(handle, STMT_ATTR_ARRAY_SIZE, &size) == 0,
            mysql_stmt_bind_param(handle, &binds) == 0, mysql_stmt_execute(handle) == 0
        else { throw MariaDBStatement.error(of: handle, sql: sql) }
        return Int(truncatingIfNeeded: mysql_stmt_affected_rows(handle))
    }

    private func bindAndExecute(_ values: [SQLValue]) throws(MariaDBError) {
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
