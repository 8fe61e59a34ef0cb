/// What applying a batch did.
public struct ProjectionResult: Sendable, Equatable {
    /// Events new to the projection (the rest were already there).
    public var applied: Int
    /// Rows inserted or updated, progress included.
    public var rowsWritten: Int

    public init(applied: Int = 0, rowsWritten: Int = 0) {
        self.applied = applied
        self.rowsWritten = rowsWritten
    }
}
