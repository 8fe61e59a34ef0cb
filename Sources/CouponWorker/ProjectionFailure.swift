import CouponCore
import CouponStore
import Redis

/// Why projecting an event (or a batch) failed, in the three kinds a worker treats differently.
public enum ProjectionFailure: Sendable, Equatable, CustomStringConvertible {
    /// The database or a connection cannot work right now (locks, full disk, I/O, Redis away).
    /// The worker keeps the batch and retries it; never counted toward dead-lettering.
    case transient(String)
    /// This one event can never be projected: it does not decode, or it conflicts with what the
    /// database holds. Dead-lettered after `maxDeliveries`.
    case poison(String)
    /// Neither (a broken schema, a bug): the event stays pending and is retried, loudly, but never
    /// dead-lettered, since nothing says the event itself is at fault.
    case unexpected(String)

    public static func classify(_ error: any Error) -> ProjectionFailure {
        switch error {
        case let error as EventDecodingError: return .poison("cannot decode: \(error)")
        case let error as ProjectionConflict: return .poison("cannot project: \(error)")
        case let error as any DatabaseFailure where error.isTransient: return .transient("\(error)")
        case let error as RedisError where error.isConnectionError: return .transient("\(error)")
        default: return .unexpected("\(error)")
        }
    }

    public var reason: String {
        switch self {
        case .transient(let reason), .poison(let reason), .unexpected(let reason): return reason
        }
    }

    public var isTransient: Bool {
        if case .transient = self { return true }
        return false
    }

    public var description: String { reason }
}
