import CouponAudit
import CouponCore
import CouponLedger
import CouponMetrics
import CouponStore
import CouponWorker
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOPosix
import Redis
import ServiceLifecycle

/// The composition root, called by `coupon serve` and by the tests alike.
public func buildApplication(
    _ configuration: AppConfiguration,
    logger: Logger = Logger(label: "coupon")
) async throws -> some ApplicationProtocol {
    let metrics = configuration.metrics ?? ServiceMetrics(partitioning: configuration.partitioning)
    let redis = RedisClient(configuration: configuration.redis, logger: logger, metrics: metrics.redis)
    // A process configured with another partition count than the deployment's refuses to start.
    do {
        try await RedisDeployment(client: redis).verify(configuration.partitioning)
    } catch {
        redis.close()
        throw error
    }
    let ledger = RedisCouponLedger(
        client: redis, partitioning: configuration.partitioning,
        finalAnswers: configuration.finalAnswerCache > 0
            ? FinalAnswers(maxHolders: configuration.finalAnswerCache) : nil)
    var workers: [ProjectionWorker] = []
    var store: (any ProjectionStore)?
    if let database = configuration.database {
        let opened = try await ProjectionStores.open(database)
        let applied = try await opened.migrate()
        if !applied.isEmpty { logger.info("applied migrations \(applied) to \(database)") }
        store = opened
        workers = (0..<configuration.workers).map { index in
            var worker = configuration.worker
            worker.consumer += "-\(index + 1)"
            return ProjectionWorker(
                configuration: worker, redis: configuration.redis, store: opened, logger: logger,
                metrics: metrics.projection)
        }
    }
    let access = AccessControl(configuration.access, logger: logger)
    let router = buildRouter(
        configuration, ledger: ledger, projection: store, access: access, logger: logger, metrics: metrics)
    MetricsController(
        metrics: metrics, redis: redis, projection: store, finalAnswers: ledger.finalAnswers,
        admissionsInFlight: { access.inFlight }
    ).addRoutes(to: router)
    let eventLoops = configuration.eventLoops.map { MultiThreadedEventLoopGroup(numberOfThreads: $0) }
    let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(configuration.idleTimeout.components.seconds))
    // Final answers (sold out, ended) given on the event loop, without the router; see FastIssueAnswers.
    let fastAnswers = ledger.finalAnswers.flatMap { finalAnswers in
        configuration.access.jwt == nil
            ? FastIssueAnswers(
                finalAnswers: finalAnswers, access: access, maxBodySize: configuration.maxBodySize,
                metrics: metrics.issues)
            : nil
    }
    var app = Application(
        router: router,
        server: fastAnswers.map { answers in
            HTTPServerBuilder { responder in
                FastIssueAnswerChannel(
                    http1: HTTP1Channel(responder: responder, configuration: http1), answers: answers)
            }
        } ?? .http1(configuration: http1),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            // Straight to stdout, unbuffered, so a script reading a pipe sees it at once.
            FileHandle.standardOutput.write(
                Data("coupon serve: listening on http://\(configuration.host):\(port)\n".utf8))
        },
        eventLoopGroupProvider: eventLoops.map { .shared($0) } ?? .singleton,
        logger: logger
    )
    // Shut down in reverse order: the server first, then the workers (finishing their batches),
    // then the Redis client, then the server's event loops.
    if let eventLoops { app.addServices(EventLoopGroupShutdown(group: eventLoops)) }
    app.addServices(redis)
    app.addServices(workers.map { $0 as any ServiceLifecycle.Service })
    return app
}

/// The routes over any ledger.
func buildRouter(
    _ configuration: AppConfiguration,
    ledger: some CouponLedger,
    projection: (any ProjectionStore)?,
    access: AccessControl,
    logger: Logger,
    metrics: ServiceMetrics
) -> Router<CouponRequestContext> {
    let router = Router(context: CouponRequestContext.self)
    router.add(middleware: ErrorMiddleware(logger: logger))
    // Hummingbird's HTTP metrics (swift-metrics, into this process's registry when the executable
    // bootstrapped it so) on the admin, lookup and audit routes. Not on the flash-sale route, which
    // has its own per-outcome metrics, nor on health and metrics: measured, the middleware took
    // 17–26% of the server's throughput on every route it wraps. The error middleware inside it
    // makes it record the status actually sent.
    func metered(_ path: RouterPath) -> RouterGroup<CouponRequestContext> {
        router.group(path).add(middleware: MetricsMiddleware()).add(middleware: ErrorMiddleware(logger: logger))
    }
    let body = JSONBody(maxSize: configuration.maxBodySize)
    HealthController(ledger: ledger).addRoutes(to: router)
    CouponsController(ledger: ledger, body: body, adminToken: configuration.adminToken)
        .addRoutes(to: metered("v1/coupons"))
    IssuesController(
        ledger: ledger, projection: projection, body: body, access: access, logger: logger, metrics: metrics.issues
    )
    .addRoutes(issue: router.group("v1/coupons/:id/issues"), lookups: metered("v1/coupons/:id/issues"))
    AuditController(queries: projection.map { AuditQueries(source: $0) })
        .addRoutes(coupons: metered("v1/coupons"), users: metered("v1/users"))
    return router
}
