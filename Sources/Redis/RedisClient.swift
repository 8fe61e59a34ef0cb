import Logging
import ServiceLifecycle
import Synchronization

/// The Redis client: one server, or a Redis Cluster, behind the same calls.
///
/// On first use it asks the first reachable seed `INFO cluster`. A single server gets one pool
/// of pipelined connections (`RedisNodePool`). A cluster gets a pool per master, opened when a
/// command first goes there, so connections and threads grow with the number of masters, not
/// with the partitions: each command goes to the master owning the slot of its first key, read
/// from `CLUSTER SHARDS` (`CLUSTER SLOTS` before Redis 7) and corrected as the cluster answers:
/// - `MOVED slot node`: the slot has a new owner; remember it, re-read the map, resend there
///   (after the second redirect of one command, with back-off, within `clusterRetryBudget`).
/// - `ASK slot node`: the slot is being migrated and this key already moved; send `ASKING` and
///   the command to that node, once, in one write.
/// - `TRYAGAIN`, `CLUSTERDOWN`, or a master that cannot be connected to: the command did not run;
///   retry with back-off for up to `clusterRetryBudget` (a failover in progress), re-reading the map.
/// - A connection lost with the command in flight: it may have run; the caller gets the error
///   (the API answers 503) and the map is re-read for the next command.
public final class RedisClient: Sendable, Service {
    public let configuration: RedisConfiguration
    private let logger: Logger
    private let metrics: (any RedisMetricsRecorder)?
    /// The first seed's pool: the whole client when the server is not a cluster.
    private let seedPool: RedisNodePool

    private enum Mode: UInt8 {
        case unknown, standalone, cluster
    }
    private let mode = Atomic<UInt8>(Mode.unknown.rawValue)

    private struct State {
        var detecting: Task<Void, any Error>?
        var pools: [RedisNode: RedisNodePool] = [:]
        var topology = ClusterTopology()
        var refreshing: Task<Void, any Error>?
        var lastRefresh: ContinuousClock.Instant?
        var closed = false
    }
    private let state = Mutex(State())

    public init(
        configuration: RedisConfiguration, logger: Logger = Logger(label: "redis"),
        metrics: (any RedisMetricsRecorder)? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        let seed = configuration.seeds[0]
        seedPool = RedisNodePool(node: seed, configuration: configuration, logger: logger, metrics: metrics)
        state.withLock { $0.pools[seed] = seedPool }
    }

    /// Sends one command: to the server, or to the master owning its first key's slot.
    public func send(_ command: RedisCommand) async throws -> RedisReply {
        if try await currentMode() == .standalone { return try await seedPool.send(command) }
        return try await routed(slot: command.routingKey.map(HashSlot.of)) { pool, asking in
            asking ? try await pool.sendAsking(command) : try await pool.send(command)
        }
    }

    /// Sends one script call; calls of one group that meet on a connection's pipeline travel as
    /// one command (see `RedisScriptCall`).
    public func send(_ call: RedisScriptCall) async throws -> RedisReply {
        if try await currentMode() == .standalone { return try await seedPool.send(call) }
        return try await routed(slot: HashSlot.of(call.routingKey)) { pool, asking in
            guard asking else { return try await pool.send(call) }
            return try RedisScriptCall.element(ofAlone: try await pool.sendAsking(call.aloneCommand))
        }
    }

    /// True once the client found a Redis Cluster (nil before it has asked).
    public var isCluster: Bool? {
        switch Mode(rawValue: mode.load(ordering: .acquiring)) {
        case .cluster: true
        case .standalone: false
        default: nil
        }
    }

    /// The master serving each hash slot (cluster only; asks the cluster first if needed).
    public func master(ofSlot slot: Int) async throws -> RedisNode? {
        guard try await currentMode() == .cluster else { return nil }
        return state.withLock { $0.topology.owners[slot] }
    }

    /// Successful connects over every pool: changes whenever any connection was (re-)established,
    /// possibly to a different server. See `RedisConnection.connectCount`.
    public var connectionEpoch: Int {
        state.withLock { $0.pools.values.reduce(0) { $0 + $1.connectCount } }
    }

    public func close() {
        let pools = state.withLock { state in
            state.closed = true
            return Array(state.pools.values)
        }
        for pool in pools { pool.close() }
    }

    /// Each owner thread keeps its connection alive until closed: a client dropped without
    /// `close()` must not leave them waiting forever.
    deinit { close() }

    /// Round trips and commands over all connections since start.
    public var statistics: (roundTrips: Int, commands: Int) {
        state.withLock { $0.pools.values.map(\.statistics) }.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
    }

    /// Runs until graceful shutdown, then closes the connections: as a service it outlives the
    /// services listed after it in the group, which shut down first.
    public func run() async throws {
        try? await gracefulShutdown()
        let (roundTrips, commands) = statistics
        logger.info(
            "Redis client closing",
            metadata: [
                "commands": "\(commands)", "roundTrips": "\(roundTrips)",
                "meanPipelineDepth": "\(roundTrips == 0 ? 0 : Double(commands) / Double(roundTrips))",
            ])
        close()
    }

    // MARK: - Cluster or not

    private func currentMode() async throws -> Mode {
        let known = Mode(rawValue: mode.load(ordering: .acquiring)) ?? .unknown
        if known != .unknown { return known }
        let task = state.withLock { state in
            if let detecting = state.detecting { return detecting }
            let task = Task { try await self.detect() }
            state.detecting = task
            return task
        }
        do {
            try await task.value
        } catch {
            state.withLock { if $0.detecting == task { $0.detecting = nil } }
            throw error
        }
        return Mode(rawValue: mode.load(ordering: .acquiring)) ?? .unknown
    }

    /// Asks the seeds, in order, whether they are a cluster; the first that answers decides.
    private func detect() async throws {
        var lastError: (any Error)?
        for seed in configuration.seeds {
            do {
                let info = try await pool(for: seed).send(RedisCommand("INFO", "cluster")).string ?? ""
                if info.contains("cluster_enabled:1") {
                    try await readTopology()
                    mode.store(Mode.cluster.rawValue, ordering: .releasing)
                    logger.info(
                        "Redis Cluster", metadata: ["masters": "\(state.withLock { $0.topology.masters.count })"])
                } else {
                    guard seed == configuration.seeds[0] else {
                        throw RedisError(
                            .unexpectedReply, "\(seed) is not a cluster node, but several seeds were given")
                    }
                    mode.store(Mode.standalone.rawValue, ordering: .releasing)
                }
                return
            } catch let error as RedisError where error.isConnectionError {
                lastError = error
            }
        }
        throw lastError ?? RedisError(.connectionFailed, "no seed")
    }

    // MARK: - Routing

    private func pool(for node: RedisNode) -> RedisNodePool {
        state.withLock { state in
            if let pool = state.pools[node] { return pool }
            let pool = RedisNodePool(node: node, configuration: configuration, logger: logger, metrics: metrics)
            state.pools[node] = pool
            if state.closed { pool.close() }
            return pool
        }
    }

    /// The pool of the slot's master; a keyless command goes to any master.
    private func pool(forSlot slot: Int?) -> RedisNodePool {
        let node = state.withLock { state in
            slot.flatMap { state.topology.owners[$0] } ?? state.topology.masters.first
        }
        return node.map(pool(for:)) ?? seedPool
    }

    private func routed(
        slot: Int?, _ send: (RedisNodePool, _ asking: Bool) async throws -> RedisReply
    ) async throws -> RedisReply {
        let deadline = ContinuousClock.now + configuration.clusterRetryBudget
        var backoff: Duration = .milliseconds(10)
        var redirects = 0
        var askTarget: RedisNode?
        while true {
            let pool = askTarget.map(pool(for:)) ?? pool(forSlot: slot)
            let asking = askTarget != nil
            askTarget = nil
            do {
                return try await send(pool, asking)
            } catch let error as RedisError {
                switch error.serverKind {
                case .moved:
                    // The command did not run. Trust the redirect at once; re-read the whole map
                    // behind it (a failover or resharding moves more than one slot).
                    if let (movedSlot, node) = Self.redirect(error.message) {
                        state.withLock { $0.topology.owners[movedSlot] = node }
                    }
                    refreshInBackground()
                    redirects += 1
                    // Two nodes can send a command back and forth for a moment while a slot
                    // changes hands (one already gave it up, the other still only imports it).
                    if redirects > 2 { try await pause(&backoff, until: deadline, error) }
                case .ask:
                    askTarget = Self.redirect(error.message)?.node
                case .tryAgain, .clusterDown:
                    try await pause(&backoff, until: deadline, error)
                case nil where error.code == .connectionFailed:
                    // Never sent: the master may be failing over. Re-read the map and retry.
                    try? await refreshTopology()
                    try await pause(&backoff, until: deadline, error)
                default:
                    if error.isConnectionError { refreshInBackground() }
                    throw error
                }
            }
        }
    }

    private func pause(_ backoff: inout Duration, until deadline: ContinuousClock.Instant, _ error: RedisError)
        async throws
    {
        guard ContinuousClock.now + backoff < deadline else { throw error }
        try await Task.sleep(for: backoff)
        backoff = min(backoff * 2, .milliseconds(200))
    }

    /// `MOVED 3999 127.0.0.1:6381` / `ASK 3999 127.0.0.1:6381` → slot and node.
    static func redirect(_ message: String) -> (slot: Int, node: RedisNode)? {
        let words = message.split(separator: " ")
        guard words.count >= 3, let slot = Int(words[1]), (0..<HashSlot.count).contains(slot),
            let node = RedisNode(words[2])
        else { return nil }
        return (slot, node)
    }

    private func refreshInBackground() {
        Task { try? await self.refreshTopology() }
    }

    /// Re-reads the slot map, one reader at a time and at most every 100 ms.
    private func refreshTopology() async throws {
        let task: Task<Void, any Error>? = state.withLock { state in
            if let refreshing = state.refreshing { return refreshing }
            if let last = state.lastRefresh, ContinuousClock.now - last < .milliseconds(100) { return nil }
            let task = Task { try await self.readTopology() }
            state.refreshing = task
            return task
        }
        guard let task else { return }
        defer {
            state.withLock { state in
                if state.refreshing == task {
                    state.refreshing = nil
                    state.lastRefresh = ContinuousClock.now
                }
            }
        }
        try await task.value
    }

    /// Asks the known masters, then the seeds, for the slot map; the first answer is installed.
    private func readTopology() async throws {
        let candidates = state.withLock { $0.topology.masters } + configuration.seeds
        var lastError: (any Error)?
        for node in candidates {
            let pool = pool(for: node)
            do {
                let topology: ClusterTopology
                do {
                    topology = try ClusterTopology(shards: try await pool.send(RedisCommand("CLUSTER", "SHARDS")))
                } catch let error as RedisError where error.code == .serverError {
                    topology = try ClusterTopology(slots: try await pool.send(RedisCommand("CLUSTER", "SLOTS")))
                }
                state.withLock { $0.topology = topology }
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? RedisError(.connectionFailed, "no cluster node answered")
    }
}
