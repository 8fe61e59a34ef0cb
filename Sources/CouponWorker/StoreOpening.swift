import CouponStore
import Logging

/// Start-up steps that wait while the database or Redis cannot work yet (a MariaDB starting or
/// restarting, a SQLite file locked by another process): a worker started before its database is
/// a normal start order, not an error. Anything else (a wrong password, a schema the migrator
/// refuses, another deployment's database) ends it at once.
public enum StoreOpening {
    /// Opens and migrates the projection.
    public static func open(_ url: DatabaseURL, logger: Logger) async throws -> any ProjectionStore {
        // Without a stop condition the wait ends only by returning or throwing.
        try await retryingTransient("cannot open the database yet", logger: logger, metadata: ["database": "\(url)"]) {
            let store = try await ProjectionStores.open(url)
            _ = try await store.migrate()
            return store
        }!
    }

    /// Runs `body` until it succeeds or fails for a reason that is not transient
    /// (`ProjectionFailure`), backing off in between and saying so once; nil if `stop` says to
    /// give up while waiting.
    static func retryingTransient<T>(
        _ waiting: String, logger: Logger, metadata: Logger.Metadata = [:], stop: () -> Bool = { false },
        _ body: () async throws -> T
    ) async throws -> T? {
        var backoff = Backoff()
        while true {
            do {
                let value = try await body()
                if backoff.isFailing { logger.notice("ready after \(backoff.failures) attempt(s)", metadata: metadata) }
                return value
            } catch  where ProjectionFailure.classify(error).isTransient {
                if !backoff.isFailing {
                    logger.warning(
                        "\(waiting); retrying with back-off", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                }
                try await Task.sleep(for: backoff.failed())
                if stop() { return nil }
            }
        }
    }
}
