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

    /// An entry with no recorded failure that was delivered more often than this is taken for one
    /// that crashes every worker projecting it (a crash leaves no failure behind): dead-lettered,
    /// so that it cannot take the workers down in turn forever. Transient faults never get an
    /// entry here: a worker retries them in memory, which counts no delivery.
    public var crashSuspectDeliveries: Int { 3 * maxDeliveries }

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
        switch lastFailure {
        case .poison(let reason):
            return .deadLetter(reason: reason)
        case .transient, .unexpected:
            // The event itself is not known to be at fault: never dead-lettered.
            return .retry
        case nil:
            // Never tried here (taken over, or pending when this worker started): project it
            // again, which tells what it is, unless it has the record of a worker crasher.
            guard deliveries > Int64(crashSuspectDeliveries) else { return .retry }
            return .deadLetter(
                reason:
                    "delivered \(deliveries) times and never projected, with no failure recorded: "
                    + "suspected of crashing the workers that took it")
        }
    }
}
