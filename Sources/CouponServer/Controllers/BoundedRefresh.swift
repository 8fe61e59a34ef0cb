import Synchronization

/// Refreshes gauges that are read from elsewhere (Redis, the projection) for a scrape, waiting at
/// most `limit`: `/metrics` is wanted most when Redis is slow or stalled, and it must not hang with
/// it. A refresh that takes longer goes on in the background and updates its gauges when it ends;
/// until then every scrape answers at once with the values as they are, starting no other.
final class BoundedRefresh: Sendable {
    let limit: Duration
    private let running = Atomic<Bool>(false)

    init(limit: Duration) {
        self.limit = limit
    }

    func run(_ work: @escaping @Sendable () async -> Void) async {
        guard running.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiter = ResumeOnce(continuation)
            let timer = Task {
                try? await Task.sleep(for: limit)
                waiter.resume()
            }
            Task {
                await work()
                running.store(false, ordering: .releasing)
                timer.cancel()
                waiter.resume()
            }
        }
    }
}

/// A continuation resumed by whichever comes first.
private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Void, Never>?>

    init(_ continuation: CheckedContinuation<Void, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume() {
        continuation.withLock { $0.take() }?.resume()
    }
}
