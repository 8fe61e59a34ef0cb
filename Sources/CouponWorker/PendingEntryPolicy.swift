/// What a worker does with one of its own pending entries when its retry pass looks at it again.
/// Pure logic, tested without Redis or a database.
public struct PendingEntryPolicy: Sendable {
    public enum Decision: Sendable, Equatable {
        /// Project it again (claiming it counts one more delivery).
        case retry
        /// The archive already holds it: only its XACK was lost.
        case acknowledge
        /// Poison delivered too often: move it to `cpn:{p}:dead` with this reason.
        case deadLetter(reason: String)
    }

    /// An entry delivered more often than this, and known to be poison, is dead-lettered.
    public let maxDeliveries: Int

    public init(maxDeliveries: Int) {
        self.maxDeliveries = maxDeliveries
    }

    /// Whether the archive must be asked before deciding (it is only needed past the limit).
    public func needsArchiveCheck(deliveries: Int64) -> Bool { deliveries > Int64(maxDeliveries) }

    /// - Parameters:
    ///   - deliveries: Redis's delivery count for the entry.
    ///   - archived: whether the archive holds it (only asked when `needsArchiveCheck`).
    ///   - lastFailure: why this worker last failed to project it; nil when this worker never
    ///     tried (it was taken over from a dead consumer, or it was pending when this one started).
    public func decide(deliveries: Int64, archived: Bool, lastFailure: ProjectionFailure?) -> Decision {
        guard needsArchiveCheck(deliveries: deliveries) else { return .retry }
        if archived { return .acknowledge }
        // Only poison is ever dead-lettered. A transient or unexpected failure, or none known
        // here, means the event itself is not known to be at fault: project it again, which
        // tells which it is. Transient faults are retried in memory and do not add deliveries.
        guard case .poison(let reason) = lastFailure else { return .retry }
        return .deadLetter(reason: reason)
    }
}
