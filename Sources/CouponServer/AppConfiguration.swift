import CouponCore
import CouponMetrics
import CouponStore
import CouponWorker
import NIOCore
import Redis

/// Everything `buildApplication` needs; `coupon serve` fills it from flags and `COUPON_*` variables.
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var redis: RedisConfiguration
    public var partitioning: Partitioning
    /// Bearer token for the admin routes (`POST /v1/coupons`).
    public var adminToken: String
    /// Largest request body accepted; larger ones get 413.
    public var maxBodySize: Int
    /// The SQL projection; nil runs the API on Redis alone (lookups answer `projected: false`).
    public var database: DatabaseURL?
    /// Projection workers run in this process (0: none, run `coupon worker` elsewhere).
    public var workers: Int
    /// How in-process workers consume; their consumer names get `-1`, `-2`, … appended.
    public var worker: WorkerConfiguration
    /// Where this process's metrics go (`GET /metrics`); nil: a registry of the application's own.
    public var metrics: ServiceMetrics?
    /// Holders kept to answer sold-out and ended coupons in this process (`FinalAnswers`); 0: off.
    public var finalAnswerCache = 100_000
    /// Identity, rate limits and the in-flight limit of the issue route.
    public var access = AccessPolicy()
    /// A connection that sends nothing for this long is closed (a half-sent request included), so
    /// slow or stalled clients cannot hold connections for ever.
    public var idleTimeout: Duration = .seconds(30)
    /// Event loop threads of the HTTP server; nil: NIO's shared group (one per core). More loops
    /// than cores keep the latency tail short when the cores are shared with other work (Redis, a
    /// worker, the clients): a loop that loses its core stalls every connection on it, and with
    /// more loops each holds fewer connections (`defaultEventLoops`, measured in the README).
    public var eventLoops: Int?

    /// `coupon serve`'s default: twice the cores.
    public static var defaultEventLoops: Int { 2 * System.coreCount }

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        redis: RedisConfiguration = RedisConfiguration(),
        partitioning: Partitioning,
        adminToken: String,
        maxBodySize: Int = 16 * 1024,
        database: DatabaseURL? = nil,
        workers: Int = 1,
        worker: WorkerConfiguration? = nil
    ) {
        self.host = host
        self.port = port
        self.redis = redis
        self.partitioning = partitioning
        self.adminToken = adminToken
        self.maxBodySize = maxBodySize
        self.database = database
        self.workers = workers
        self.worker = worker ?? WorkerConfiguration(partitioning: partitioning)
    }
}
