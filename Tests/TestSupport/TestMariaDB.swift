import Foundation

/// The MariaDB the tests share: the one `scripts/test` started (`COUPON_TEST_MARIADB_URL`), or,
/// when the tests run without it (`swift test` alone), a `MariaDBServer` started here for the
/// whole process and stopped at exit.
public enum TestMariaDB {
    public static func url() async throws -> String {
        if let url = ProcessInfo.processInfo.environment["COUPON_TEST_MARIADB_URL"], !url.isEmpty { return url }
        return try await fallback.value.url
    }

    private static let fallback = Task<MariaDBServer, any Error> { try await MariaDBServer() }
}
