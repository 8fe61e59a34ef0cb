import CouponCore

/// Why the ledger could not answer.
public enum LedgerError: Error, Sendable, CustomStringConvertible {
    /// Redis is unreachable, refused the write (e.g. OOM), or lost its data (generation key gone).
    case unavailable(String)
    /// Durability `replicated`: Redis ran the admission but no replica confirmed it in time, so a
    /// failover could still lose it. A retry tells the truth (409 with the issuance, or a decision).
    case unconfirmed(String)
    /// The deployment was initialised with another partition count.
    case partitionMismatch(configured: Int, recorded: Int)
    /// The request broke a rule that only Redis could check (e.g. an end before the default start).
    case invalid(ValidationError)
    /// Redis answered something the scripts never answer: a bug, not a user error.
    case unexpected(String)

    /// The deployment's generation key is missing: Redis came back without its data.
    public static let dataLost = LedgerError.unavailable(
        "the deployment's generation key is missing: Redis lost its data")

    public var description: String {
        switch self {
        case .unavailable(let reason): return "unavailable: \(reason)"
        case .unconfirmed(let reason): return "unconfirmed: \(reason)"
        case .partitionMismatch(let configured, let recorded):
            return "this deployment was initialised with \(recorded) partitions, but \(configured) are configured"
        case .invalid(let error): return error.message
        case .unexpected(let detail): return "unexpected answer from Redis: \(detail)"
        }
    }
}
