import ArgumentParser
import CouponCore
import Logging
import Redis

/// Options every command that talks to Redis shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Redis URL, redis://[[user:]password@]host:port[/db] (env COUPON_REDIS_URL).")
    var redis: String = OptionEnvironment.string("COUPON_REDIS_URL", default: "redis://127.0.0.1:6379")

    @Option(help: "Partition count P, fixed at `coupon init` (env COUPON_PARTITIONS).")
    var partitions: Int = OptionEnvironment.int("COUPON_PARTITIONS", default: 4)

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env COUPON_LOG_LEVEL).")
    var logLevel: String = OptionEnvironment.string("COUPON_LOG_LEVEL", default: "info")

    func validate() throws {
        try OptionEnvironment.check()
        _ = try redisConfiguration()
        _ = try partitioning()
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ArgumentParser.ValidationError("unknown log level '\(logLevel)'")
        }
    }

    func redisConfiguration() throws -> RedisConfiguration {
        do {
            return try RedisConfiguration(url: redis)
        } catch {
            throw ArgumentParser.ValidationError(error.message)
        }
    }

    func partitioning() throws -> Partitioning {
        do {
            return try Partitioning(count: partitions)
        } catch {
            throw ArgumentParser.ValidationError(error.message)
        }
    }

    func makeLogger(label: String) -> Logger {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = DeferredMetadataLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}
