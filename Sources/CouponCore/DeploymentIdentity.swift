/// Which deployment a Redis or a database belongs to: the partition count fixed at `coupon init`
/// and the generation id written with it. A Redis that lost its data has none; one initialised
/// again has a new generation, and must never be projected into the old one's database.
public struct DeploymentIdentity: Sendable, Equatable, CustomStringConvertible {
    public let partitions: Int
    public let generation: String

    public init(partitions: Int, generation: String) {
        self.partitions = partitions
        self.generation = generation
    }

    public var description: String { "generation \(generation), \(partitions) partition(s)" }
}
