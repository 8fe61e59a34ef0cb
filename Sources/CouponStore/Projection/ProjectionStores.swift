import Foundation

/// The projection in one SQLite file.
public typealias SQLiteProjectionStore = SQLProjectionStore<SQLiteConnection>
/// The projection in a MariaDB (or MySQL) database.
public typealias MariaDBProjectionStore = SQLProjectionStore<MariaDBConnection>

extension SQLProjectionStore where Connection == SQLiteConnection {
    public convenience init(path: String) async throws {
        try await self.init { try SQLiteConnection(path: path) }
    }
}

extension SQLProjectionStore where Connection == MariaDBConnection {
    /// `batching` nil: as the server allows (array binding on MariaDB, multi-row VALUES on MySQL).
    public convenience init(_ configuration: MariaDBConfiguration, batching: MariaDBBatching? = nil) async throws {
        try await self.init { try MariaDBConnection(configuration, batching: batching) }
    }
}

/// Opens the projection a database URL names.
public enum ProjectionStores {
    public static func open(_ url: DatabaseURL) async throws -> any ProjectionStore {
        switch url {
        case .sqlite(let path):
            return try await SQLiteProjectionStore(path: path)
        case .mysql(let text):
            return try await MariaDBProjectionStore(try MariaDBConfiguration(url: text))
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
