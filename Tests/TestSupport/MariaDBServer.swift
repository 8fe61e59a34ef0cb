import Foundation
import Synchronization

/// A real `mariadbd` of its own, its data in a temporary folder, on a Unix socket only (no TCP
/// port to collide on), root without a password over that socket. Tests that stop or restart
/// the database start their own; the rest share `TestMariaDB`.
public final class MariaDBServer: @unchecked Sendable {
    // @unchecked: `process` is only replaced by start/stop, which tests call from one task.
    public let directory: URL
    private var process: TestProcess?

    public var socket: String { directory.appendingPathComponent("sock").path }
    /// Its own temporary files: with the default (/tmp) a bootstrap once failed removing its own
    /// temporary table ("Could not remove temporary table '/tmp/#sql-temptable-…'") while other
    /// servers of the test run used /tmp too.
    private var temporaryDirectory: String { directory.appendingPathComponent("tmp").path }
    /// The URL of the database `coupon_test`, which `init` creates.
    public var url: String { "mysql://root@localhost/coupon_test?socket=\(socket)" }

    public init() async throws {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("coupon-mariadb-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: temporaryDirectory, withIntermediateDirectories: true)
        let (data, temporary) = (directory.path + "/data", temporaryDirectory)
        try await offThePool {
            try MariaDBServer.run(
                "/usr/bin/mariadb-install-db",
                [
                    "--no-defaults", "--datadir=\(data)", "--user=\(MariaDBServer.user)",
                    "--auth-root-authentication-method=normal", "--tmpdir=\(temporary)",
                ])
        }
        try await start()
        try await client("CREATE DATABASE coupon_test")
    }

    /// A clean shutdown takes a second or two: waited for on a thread of its own, then the files go.
    deinit {
        let (process, directory) = (self.process, self.directory)
        Thread {
            MariaDBServer.stop(process)
            try? FileManager.default.removeItem(at: directory)
        }.start()
    }

    /// Starts (again) on the same data and socket; returns once it answers (waited for off the
    /// concurrency pool: see `offThePool`).
    public func start() async throws {
        process = try await offThePool { try self.launch() }
    }

    private func launch() throws -> TestProcess {
        let server = TestProcess()
        server.executableURL = URL(fileURLWithPath: "/usr/sbin/mariadbd")
        server.arguments = [
            "--no-defaults", "--datadir=\(directory.path)/data", "--socket=\(socket)", "--skip-networking",
            "--user=\(MariaDBServer.user)", "--log-error=\(directory.path)/error.log", "--skip-log-bin",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_nopad_bin", "--max-connections=500",
            "--innodb-buffer-pool-size=64M", "--tmpdir=\(temporaryDirectory)",
        ]
        try server.run()
        let serverPID = server.processIdentifier
        MariaDBServer.running.withLock { _ = $0.insert(serverPID) }
        for _ in 0..<300 {
            if (try? runClient("SELECT 1")) != nil { return server }
            guard server.isRunning else { break }
            usleep(50_000)
        }
        throw TestSupportError("mariadbd did not start; see \(directory.path)/error.log")
    }

    /// Stops it (SIGTERM: a clean shutdown, as `systemctl stop` does) and waits until it is gone.
    public func stop() async {
        let process = self.process
        self.process = nil
        await offThePool { MariaDBServer.stop(process) }
    }

    private static func stop(_ process: TestProcess?) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let stoppedPID = process.processIdentifier
        MariaDBServer.running.withLock { _ = $0.remove(stoppedPID) }
    }

    /// Runs SQL with the `mariadb` client over the socket.
    public func client(_ sql: String) async throws {
        try await offThePool { try self.runClient(sql) }
    }

    private func runClient(_ sql: String) throws {
        try MariaDBServer.run("/usr/bin/mariadb", ["--no-defaults", "--socket=\(socket)", "-u", "root", "-e", sql])
    }

    private static var user: String { ProcessInfo.processInfo.environment["USER"] ?? "root" }

    /// Servers still running when the test process exits are stopped then.
    private static let running: Mutex<Set<Int32>> = {
        atexit {
            MariaDBServer.running.withLock { pids in for pid in pids { kill(pid, SIGTERM) } }
        }
        return Mutex([])
    }()

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSupportError("\(tool) failed (\(process.terminationStatus)): \(text.suffix(1500))")
        }
    }
}
