import Foundation

/// The MariaDB the tests share: the one `scripts/test` started (`COUPON_TEST_MARIADB_URL`), or,
/// when the tests run without it (`swift test` alone), a `MariaDBServer` started here for the
/// whole process and stopped at exit.
public enum TestMariaDB {
    public static func url() throws -> String {
        if let url = ProcessInfo.processInfo.environment["COUPON_TEST_MARIADB_URL"], !url.isEmpty { return url }
        return try fallback.get().url
    }

    private static let fallback: Result<MariaDBServer, any Error> = Result { try MariaDBServer() }
}
