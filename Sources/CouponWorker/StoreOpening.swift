import CouponStore
import Logging

/// Opens and migrates the projection for a worker process, waiting while the database cannot be
/// reached yet (a MariaDB starting or restarting, a SQLite file locked by another process): a
/// worker started before its database is a normal start order, not an error. Anything else (a
/// wrong password, a schema the migrator refuses) ends it at once.
public enum StoreOpening {
    public static func open(_ url: DatabaseURL, logger: Logger) async throws -> any ProjectionStore {
        var backoff = Backoff()
        while true {
            do {
                let store = try await ProjectionStores.open(url)
                _ = try await store.migrate()
                if backoff.isFailing { logger.notice("database reachable after \(backoff.failures) attempt(s)") }
                return store
            } catch let error as any DatabaseFailure where error.isTransient {
                if !backoff.isFailing {
                    logger.warning(
                        "cannot open the database yet; retrying with back-off",
                        metadata: ["database": "\(url)", "error": "\(error)"])
                }
                try await Task.sleep(for: backoff.failed())
            }
        }
    }
}
