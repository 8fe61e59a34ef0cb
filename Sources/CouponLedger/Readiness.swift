/// Whether the ledger can serve: Redis reachable, deployment initialised with this partition
/// count, every generation key present.
public struct Readiness: Sendable, Equatable {
    public let ready: Bool
    public let reason: String?

    public static let ready = Readiness(ready: true, reason: nil)
    public static func notReady(_ reason: String) -> Readiness { Readiness(ready: false, reason: reason) }
}
