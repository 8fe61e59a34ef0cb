import CouponCore

/// Where the log is projected to. The workers and `coupon replay` apply batches through it; the
/// API reads projected issuances from it, and audit queries read its archive (on connections of
/// their own, never the writer's).
public protocol ProjectionStore: AuditSource {
    /// Applies pending migrations; returns the versions applied.
    func migrate() async throws -> [Int64]
    /// Applies one partition's events in one transaction: archive rows, coupon and issuance rows,
    /// progress. Events already projected are skipped, so applying a batch twice changes nothing.
    func apply(_ events: [LoggedEvent], partition: Int) async throws -> ProjectionResult
    /// Whether the archive already holds this entry of this partition (it is then fully applied).
    func contains(partition: Int, eventId: StreamID) async throws -> Bool
    /// Records the deployment this database belongs to, unless one is recorded already; returns
    /// the recorded one (which differs from `identity` when the database belongs to another).
    func recordDeployment(_ identity: DeploymentIdentity) async throws -> DeploymentIdentity
    /// The recorded deployment, or nil when nothing has been projected into this database yet.
    func recordedDeployment() async throws -> DeploymentIdentity?
    /// How many events the archive holds.
    func archivedEventCount() async throws -> Int
    /// One partition as the archive holds it, for `coupon recover`.
    func recoverySnapshot(partition: Int, of partitioning: Partitioning) async throws -> RecoverySnapshot
    /// Coupons whose issuance window overlaps [from, to) (epoch ms), newest first, at most `limit`.
    func coupons(activeFrom from: Int64, to: Int64, limit: Int) async throws -> [CouponEvent.Defined]
    /// Every coupon the projection holds a definition of, by id.
    func projectedCoupons() async throws -> [CouponID]
    /// The projected issuance, or nil when the projection does not hold it (yet).
    func issuance(coupon: CouponID, user: UserID) async throws -> Issuance?
}
