// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "coupon",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "coupon", targets: ["coupon"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
    ],
    targets: [
        // C shims: module maps only, no logic.
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Connector/C's headers by their path (its pkg-config file adds flags SwiftPM refuses).
        .systemLibrary(
            name: "CMariaDB",
            providers: [.apt(["libmariadb-dev"])]
        ),

        // Redis client over hiredis: connection owner threads, automatic pipelining, pool.
        .target(
            name: "Redis",
            dependencies: [
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Domain values, rules, event encoding and the Lua scripts. No I/O.
        .target(name: "CouponCore"),

        // The coupon ledger in Redis: init, define, admit, look up (runs CouponCore's scripts).
        .target(
            name: "CouponLedger",
            dependencies: [
                "CouponCore", "Redis",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The service's Prometheus metrics: issue outcomes and latency, Redis round trips,
        // projection throughput and lag, the log's length, pending and dead letters.
        .target(
            name: "CouponMetrics",
            dependencies: [
                "CouponCore", "Redis",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // The SQL projection: SQLite wrapper, migrator (Migrations/ is embedded), batch projector.
        .target(
            name: "CouponStore",
            dependencies: ["CouponCore", "CSQLite", "CMariaDB"],
            resources: [.embedInCode("Migrations")]
        ),

        // Consumer-group workers that fold the log into the projection, and replay.
        .target(
            name: "CouponWorker",
            dependencies: [
                "CouponCore", "CouponLedger", "CouponMetrics", "CouponStore", "Redis",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Audit queries over the archive or the log, their JSON/CSV/table output.
        .target(
            name: "CouponAudit",
            dependencies: ["CouponCore", "CouponLedger", "CouponStore", "Redis"]
        ),

        // Redis rebuilt from the archive after it lost its data.
        .target(
            name: "CouponRecovery",
            dependencies: [
                "CouponCore", "CouponStore", "Redis",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // HTTP: buildApplication, controllers, error -> HTTP mapping.
        .target(
            name: "CouponServer",
            dependencies: [
                "CouponAudit", "CouponCore", "CouponMetrics", "CouponLedger", "CouponStore", "CouponWorker", "Redis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .executableTarget(
            name: "coupon",
            dependencies: [
                "CouponAudit", "CouponCore", "CouponMetrics", "CouponRecovery",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"), "CouponLedger", "CouponServer",
                "CouponStore",
                "CouponWorker", "Redis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Benchmark jobs (Benchmarks/projection.sh); not part of the service.
        .executableTarget(
            name: "coupon-bench",
            dependencies: [
                "CouponCore", "CouponLedger", "CouponStore", "CouponWorker", "Redis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/CouponBench"
        ),

        // Starts and stops real redis-server processes for tests.
        .target(
            name: "TestSupport",
            dependencies: ["Redis"],
            path: "Tests/TestSupport"
        ),
        // A whole deployment for a test: its own Redis, P = 2, a SQLite file, in-process workers.
        .target(
            name: "Fixtures",
            dependencies: ["CouponCore", "CouponLedger", "CouponStore", "CouponWorker", "Redis", "TestSupport"],
            path: "Tests/Fixtures"
        ),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "TestSupport"]),
        .testTarget(
            name: "RedisClusterTests",
            dependencies: [
                "CouponCore", "CouponLedger", "CouponStore", "CouponWorker", "Fixtures", "Redis", "TestSupport",
            ]
        ),
        .testTarget(name: "CouponCoreTests", dependencies: ["CouponCore"]),
        .testTarget(
            name: "CouponLedgerTests",
            dependencies: ["CouponLedger", "CouponCore", "Redis", "TestSupport"]
        ),
        .testTarget(
            name: "CouponStoreTests",
            dependencies: ["CouponStore", "CouponCore", "Fixtures", "TestSupport"]
        ),
        .testTarget(
            name: "CouponWorkerTests",
            dependencies: [
                "CouponWorker", "CouponStore", "CouponLedger", "CouponCore", "Fixtures", "Redis", "TestSupport",
            ]
        ),
        .testTarget(
            name: "CouponAuditTests",
            dependencies: [
                "CouponAudit", "CouponCore", "CouponLedger", "CouponStore", "CouponWorker", "Fixtures", "Redis",
                "TestSupport",
            ]
        ),
        .testTarget(
            name: "CouponServerTests",
            dependencies: [
                "CouponServer", "CouponLedger", "CouponCore", "CouponMetrics", "Fixtures", "Redis", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
