import Dispatch

/// A connection confined to one serial dispatch queue: the engines' calls block, so they run
/// there and never on the Swift concurrency pool or a NIO event loop.
///
/// `@unchecked Sendable`: the connection is only ever touched by blocks on `queue`, one at a time.
public final class DatabaseQueue<Connection: SQLConnection>: @unchecked Sendable {
    private let queue: DispatchQueue
    private let connection: Connection

    /// Opens on the queue itself: opening reads and writes a file (SQLite's WAL set-up) or talks
    /// to a server, and that must not block a thread of the Swift pool either.
    public init(label: String, open: @escaping @Sendable () throws -> Connection) async throws {
        let queue = DispatchQueue(label: "coupon.\(label)")
        let opened = try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { Handover(try open()) }) }
        }
        self.queue = queue
        self.connection = opened.connection
    }

    /// Carries the freshly opened connection from the queue to `init`.
    /// `@unchecked Sendable`: handed over once, and used on `queue` only from then on.
    private struct Handover: @unchecked Sendable {
        let connection: Connection
        init(_ connection: Connection) { self.connection = connection }
    }

    /// Runs `body` on the queue and returns its result to the caller.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.connection) })
            }
        }
    }

    /// The same, blocking the calling thread: for command-line tools and tests only.
    public func performBlocking<T>(_ body: (Connection) throws -> T) throws -> T {
        try queue.sync { try body(connection) }
    }
}
