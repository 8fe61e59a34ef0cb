/// What the admission script decided for one issue request. HTTP codes are chosen at the edge.
public enum AdmissionOutcome: Sendable, Equatable {
    case issued(Issuance)
    case alreadyIssued(Issuance)
    case soldOut
    case notStarted(startsAt: Int64)
    case ended(endsAt: Int64)
    case notFound
    /// The generation key is missing: Redis lost its data, so nothing may be issued.
    case unavailable
}
