/// Bounded exponential back-off: 200 ms doubling to 5 s, reset on success.
struct Backoff: Sendable {
    private(set) var failures = 0
    let first: Duration
    let limit: Duration

    init(first: Duration = .milliseconds(200), limit: Duration = .seconds(5)) {
        self.first = first
        self.limit = limit
    }

    /// Records a failure; returns how long to wait before the next attempt.
    mutating func failed() -> Duration {
        failures += 1
        let doubled = first * (1 << min(failures - 1, 16))
        return min(doubled, limit)
    }

    mutating func succeeded() { failures = 0 }

    /// True while failing; the first failure and the recovery are the state changes worth a log line.
    var isFailing: Bool { failures > 0 }
}
