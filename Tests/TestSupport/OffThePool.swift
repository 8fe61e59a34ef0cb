import Foundation

/// Runs blocking work — waiting for a child process, polling a server that is starting — on a
/// thread of its own, and suspends the caller until it is done.
///
/// Why: Swift's concurrency pool has one thread per core (two here), and a thread blocked in
/// `usleep` or `waitpid` is not replaced. Measured on this machine: with two tasks each blocked
/// for 5 s, a third task started 4.9 s late. The tests run in parallel in one process, so two
/// tests setting up a Redis Cluster or a MariaDB at the same moment held both threads for seconds,
/// and every in-process server of the other tests stood still meanwhile: tests bound to a time
/// window (a coupon ending 5 s later, a Redis call stalled for 4 s) failed now and then.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// `offThePool` for work that cannot fail.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
