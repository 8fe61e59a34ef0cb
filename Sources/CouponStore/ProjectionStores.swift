import Foundation

/// Opens the projection a database URL names.
public enum ProjectionStores {
    public static func open(_ url: DatabaseURL) async throws -> any ProjectionStore {
        switch url {
        case .sqlite(let path):
            return try await SQLiteProjectionStore(path: path)
        case .mysql:
            throw StoreError.unsupported("MySQL/MariaDB projection is not built yet: use sqlite:PATH")
        }
    }

    /// The store, or nil when the database does not exist yet (a SQLite file not created): for
    /// checks that must not create one.
    public static func openExisting(_ url: DatabaseURL) async throws -> (any ProjectionStore)? {
        if case .sqlite(let path) = url, !FileManager.default.fileExists(atPath: path) { return nil }
        let store = try await open(url)
        _ = try await store.migrate()
        return store
    }
}
