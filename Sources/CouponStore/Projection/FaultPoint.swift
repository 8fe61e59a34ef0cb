import Foundation
import Synchronization

/// Failpoints for the crash tests: with `COUPON_FAULT=<point>` set, the process kills itself with
/// SIGKILL the moment it reaches that point (after `COUPON_FAULT_SKIP` earlier hits), exactly as an
/// external `kill -9` landing there would. Unset, a hit costs one dictionary lookup per batch.
public enum FaultPoint: String, Sendable {
    /// Inside the batch transaction, every row written, before COMMIT.
    case beforeCommit = "before-commit"
    /// After COMMIT, before XACK.
    case afterCommit = "after-commit"

    private static let armed: (point: String, skip: Int)? = {
        let environment = ProcessInfo.processInfo.environment
        guard let point = environment["COUPON_FAULT"], !point.isEmpty else { return nil }
        return (point, environment["COUPON_FAULT_SKIP"].flatMap { Int($0) } ?? 0)
    }()
    private static let hits = Atomic<Int>(0)

    public func hit() {
        guard let armed = FaultPoint.armed, armed.point == rawValue else { return }
        if FaultPoint.hits.add(1, ordering: .relaxed).newValue > armed.skip { kill(getpid(), SIGKILL) }
    }
}
