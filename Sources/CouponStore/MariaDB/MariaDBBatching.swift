/// How a `MariaDBConnection` sends many rows of one INSERT.
public enum MariaDBBatching: Sendable {
    /// One prepared single-row statement executed once with every row bound as column arrays
    /// (`STMT_ATTR_ARRAY_SIZE`, MariaDB's bulk execution): one round trip, no SQL text per row.
    case arrayBinding
    /// Multi-row `VALUES` lists in chunks of fixed sizes (so a handful of prepared statements
    /// serve every batch size): for MySQL servers, which reject bulk execution.
    case multiRowValues

    /// The chunk sizes of `multiRowValues`, largest first: a batch of n rows takes at most
    /// n / 256 + 12 executions, and the server holds at most five of these statements per table
    /// and connection (its prepared-statement count is bounded server-wide).
    static let chunkSizes = [256, 64, 16, 4, 1]
}
