/// A database connection that runs plain statements: the transaction wrapper is written once for
/// every engine on top of it.
protocol StatementExecuting: AnyObject {
    func execute(_ sql: String) throws
}

extension StatementExecuting {
    /// Runs `body` between `begin` and COMMIT, rolling back if it throws.
    func transaction<T>(begin: String, _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}
