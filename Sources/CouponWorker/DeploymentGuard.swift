import CouponCore
import CouponStore
import Redis

/// Keeps a worker from projecting one deployment's log into another's database. On start it
/// records Redis's deployment in the database (the first projection into a database claims it)
/// or finds the one recorded there; they must be the same. Checked again whenever a consumer
/// group has vanished: that happens when Redis lost its data, and someone may have run
/// `coupon init` since (a new generation) instead of `coupon recover`.
struct DeploymentGuard: Sendable {
    let client: RedisClient
    let store: any ProjectionStore
    let partitioning: Partitioning

    /// Throws `DeploymentMismatch` when the database belongs to another deployment. Redis without
    /// a generation key (data lost, not yet recovered) passes: there is nothing to project.
    func check() async throws {
        guard let generation = try await client.send(.get(Partitioning.generationKey(0))).string else { return }
        let redis = DeploymentIdentity(partitions: partitioning.count, generation: generation)
        let recorded = try await store.recordDeployment(redis)
        guard recorded == redis else { throw DeploymentMismatch(database: recorded, redis: redis) }
    }
}

public struct DeploymentMismatch: Error, Sendable, CustomStringConvertible {
    public let database: DeploymentIdentity
    public let redis: DeploymentIdentity

    public var description: String {
        "this database belongs to deployment \(database), but Redis holds \(redis): Redis was initialised "
            + "again after losing its data. Projecting it here would mix two deployments. Rebuild Redis from "
            + "this database with `coupon recover` (on an empty Redis), or give the new deployment a new database."
    }
}
