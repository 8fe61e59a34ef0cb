import Histogram
import Synchronization

/// Projection lag: from an event's time in the log (Redis `TIME` at admission) to the commit of
/// the row that projects it, in milliseconds.
public final class LagRecorder: Sendable {
    private let histogram = Mutex(Histogram<UInt64>(highestTrackableValue: 3_600_000))

    public init() {}

    /// Records a batch's lags under one lock.
    func record(_ milliseconds: [Int64]) {
        guard !milliseconds.isEmpty else { return }
        histogram.withLock { histogram in
            for value in milliseconds { _ = histogram.record(UInt64(max(0, value))) }
        }
    }

    public struct Summary: Sendable, CustomStringConvertible {
        public let count: UInt64
        public let p50: UInt64
        public let p99: UInt64
        public let max: UInt64
        public var description: String { "\(count) events, lag p50 \(p50) ms, p99 \(p99) ms, max \(max) ms" }
    }

    public var summary: Summary {
        histogram.withLock {
            Summary(
                count: $0.totalCount, p50: $0.valueAtPercentile(50), p99: $0.valueAtPercentile(99),
                max: $0.totalCount == 0 ? 0 : $0.max)
        }
    }
}
