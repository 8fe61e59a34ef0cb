import CouponStore
import Foundation
import TestSupport

/// The projection engines the tests run against, each with a fresh database per test: a SQLite
/// file, or a database of its own on the test MariaDB (created with a case-insensitive default
/// collation, as many servers have, so the migrator must set the binary one).
public enum TestEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    /// MariaDB with its bulk execution (array binding), as the service uses it.
    case mariadb
    /// MariaDB through the multi-row VALUES path the service takes on MySQL servers.
    case mariadbValues

    public var description: String { rawValue }

    /// The SQL dialect the engine speaks.
    public var dialect: SQLDialect { self == .sqlite ? .sqlite : .mariadb }

    /// SQLite and MariaDB as the service uses them: what process-level tests run over.
    public static let servers: [TestEngine] = [.sqlite, .mariadb]

    /// A new, empty database; its URL.
    public func freshDatabase() async throws -> String {
        switch self {
        case .sqlite:
            return "sqlite:" + Fixture.temporaryDatabase()
        case .mariadb, .mariadbValues:
            let base = try await TestMariaDB.url()
            let name = "ct_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            try MariaDBConnection(try MariaDBConfiguration(url: base)).execute(
                "CREATE DATABASE \(name) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
            var components = URLComponents(string: base)!
            components.path = "/" + name
            return components.string!
        }
    }

    /// The store over `url`, migrated.
    public func store(_ url: String) async throws -> any ProjectionStore {
        let store: any ProjectionStore
        switch self {
        case .sqlite, .mariadb:
            store = try await ProjectionStores.open(try DatabaseURL(url))
        case .mariadbValues:
            store = try await MariaDBProjectionStore(try MariaDBConfiguration(url: url), batching: .multiRowValues)
        }
        _ = try await store.migrate()
        return store
    }

    /// A fresh database and its migrated store.
    public func freshStore() async throws -> (store: any ProjectionStore, url: String) {
        let url = try await freshDatabase()
        return (try await store(url), url)
    }
}
