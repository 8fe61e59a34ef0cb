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
}
