import Dispatch

/// A `SQLiteConnection` confined to one serial dispatch queue: SQLite's calls block, so they run
/// there and never on the Swift concurrency pool or a NIO event loop.
///
/// `@unchecked Sendable`: the connection is only ever touched by blocks on `queue`, one at a time.
public final class SQLiteDatabase: @unchecked Sendable {
    private let queue: DispatchQueue
    private let connection: SQLiteConnection

    /// Opens on the database's own queue: opening reads and writes the file (WAL set-up), and
    /// that must not block a thread of the Swift pool either.
    public init(path: String, label: String = "sqlite") async throws {
        let queue = DispatchQueue(label: "coupon.\(label)")
        let opened = try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try OpenedConnection(SQLiteConnection(path: path)) }) }
        }
        self.queue = queue
        self.connection = opened.connection
    }

    /// Carries the freshly opened connection from the queue to `init`.
    /// `@unchecked Sendable`: handed over once, and used on `queue` only from then on.
    private struct OpenedConnection: @unchecked Sendable {
        let connection: SQLiteConnection
        init(_ connection: SQLiteConnection) { self.connection = connection }
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
