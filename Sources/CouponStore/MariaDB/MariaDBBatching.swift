/// How a `MariaDBConnection` sends many rows of one INSERT.
public enum MariaDBBatching: Sendable {
    /// One prepared single-row statement executed once with every row bound as column arrays
    /// (`STMT_ATTR_ARRAY_SIZE`, MariaDB's bulk execution): one round trip, no SQL text per row.
    case arrayBinding
    /// Multi-row `VALUES` lists in `FixedChunks` (so a handful of prepared statements serve every
    /// batch size): for MySQL servers, which reject bulk execution.
    case multiRowValues

}
