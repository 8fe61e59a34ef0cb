import Foundation

/// The MariaDB the tests share: the one `scripts/test` started (`COUPON_TEST_MARIADB_URL`), or,
/// when the tests run without it (`swift test` alone), a throwaway server started here for the
/// whole process, its data in a temporary folder, stopped at exit.
public enum TestMariaDB {
    public static func url() throws -> String {
        if let url = ProcessInfo.processInfo.environment["COUPON_TEST_MARIADB_URL"], !url.isEmpty { return url }
        return try fallback.get()
    }

    private static let fallback: Result<String, any Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coupon-test-mariadb-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let user = ProcessInfo.processInfo.environment["USER"] ?? "root"
        try run(
            "/usr/bin/mariadb-install-db",
            [
                "--no-defaults", "--datadir=\(directory.path)/data", "--user=\(user)",
                "--auth-root-authentication-method=normal",
            ])
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/sbin/mariadbd")
        server.arguments = [
            "--no-defaults", "--datadir=\(directory.path)/data", "--socket=\(directory.path)/sock", "--skip-networking",
            "--user=\(user)", "--log-error=\(directory.path)/error.log", "--skip-log-bin",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_nopad_bin",
        ]
        try server.run()
        mariadbPID = server.processIdentifier
        atexit { if mariadbPID > 0 { kill(mariadbPID, SIGTERM) } }
        for _ in 0..<200 {
            if (try? run(
                "/usr/bin/mariadb",
                ["--no-defaults", "--socket=\(directory.path)/sock", "-u", "root", "-e", "SELECT 1"])) != nil
            {
                try run(
                    "/usr/bin/mariadb",
                    [
                        "--no-defaults", "--socket=\(directory.path)/sock", "-u", "root", "-e",
                        "CREATE DATABASE coupon_test",
                    ])
                return "mysql://root@localhost/coupon_test?socket=\(directory.path)/sock"
            }
            usleep(50_000)
        }
        throw TestSupportError("mariadbd did not start; see \(directory.path)/error.log")
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSupportError("\(tool) failed") }
    }
}

nonisolated(unsafe) private var mariadbPID: Int32 = 0
