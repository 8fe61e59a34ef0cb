import Foundation
import Redis

/// A real `redis-server` on loopback, on a free port, in a temporary folder. Tests that stop,
/// restart or wipe Redis start their own; the rest share the one the test script started.
public final class RedisServer: @unchecked Sendable {
    // @unchecked: `process` is only replaced by start/stop, which tests call from one task.
    public let port: Int
    public let directory: URL
    private var process: TestProcess?
    private let extraArguments: [String]

    public var pid: Int32 { process?.processIdentifier ?? 0 }
    public var url: String { "redis://127.0.0.1:\(port)" }
    public var configuration: RedisConfiguration { RedisConfiguration(host: "127.0.0.1", port: port) }

    /// `arguments` go to redis-server after the defaults (e.g. `["--requirepass", "secret"]`).
    public convenience init(port: Int? = nil, arguments: [String] = []) async throws {
        try self.init(unstartedOn: port, arguments: arguments)
        try await start()
    }

    private init(unstartedOn port: Int?, arguments: [String]) throws {
        extraArguments = arguments
        self.port = try port ?? FreePort.next()
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("coupon-test-redis-\(self.port)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts (again) on the same port. With AOF on, a restart keeps the data; `wipe` deletes it
    /// first. Waits for the server off the concurrency pool (see `offThePool`).
    public func start(wipe: Bool = false) async throws {
        try await offThePool { try self.launch(wipe: wipe) }
    }

    private func launch(wipe: Bool) throws {
        if wipe {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                try? FileManager.default.removeItem(at: directory.appendingPathComponent(file))
            }
        }
        let process = TestProcess()
        process.executableURL = try RedisServer.executable()
        process.arguments =
            [
                "--port", String(port), "--bind", "127.0.0.1", "--dir", directory.path,
                "--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction",
                "--enable-debug-command", "local", "--logfile", "redis.log",
            ] + extraArguments
        try process.run()
        self.process = process
        try waitUntilReady(process)
    }

    /// Stops at once (SIGKILL: like a crash, nothing is flushed beyond what AOF already has); the
    /// child is reaped within milliseconds, so this may block.
    public func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Ready when the port answers PING while our own process still runs: a redis-server that
    /// could not bind (the port taken while this one was stopped) exits, and another server's
    /// PONG on the port must not pass for it.
    private func waitUntilReady(_ process: TestProcess) throws {
        for _ in 0..<200 {
            guard process.isRunning else {
                throw TestSupportError("redis-server on port \(port) exited at start; see \(directory.path)/redis.log")
            }
            if (try? pingProbe(port: port)) == true, process.isRunning { return }
            usleep(25_000)
        }
        throw TestSupportError("redis-server on port \(port) did not come up")
    }

    static func executable() throws -> URL {
        for path in ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        throw TestSupportError("redis-server is not installed: run scripts/test, which installs it")
    }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
