import Dispatch

/// A `SQLiteConnection` confined to one serial dispatch queue: SQLite's calls block, so they run
/// there and never on the Swift concurrency pool or a NIO event loop.
///
/// `@unchecked Sendable`: the connection is only ever touched by blocks on `queue`, one at a time.
public final class SQLiteDatabase: @unchecked Sendable {
    private let queue: DispatchQueue
    private let connection: SQLiteConnection

    public init(path: String, label: String = "sqlite") throws {
        queue = DispatchQueue(label: "coupon.\(label)")
        connection = try queue.sync { try SQLiteConnection(path: path) }
    }

    public var path: String { connection.path }

    /// Runs `body` on the database's queue and returns its result to the caller.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.connection) })
            }
        }
    }

    /// The same, blocking the calling thread: for command-line tools and tests only.
    public func performBlocking<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try queue.sync { try body(connection) }
    }
}
