import CouponCore
import CouponLedger
import Foundation
import Redis
import TestSupport
import Testing

/// A real `coupon serve` process on a Redis server of its own (P = 2, initialised, no worker),
/// for the tests that need the binary itself; curl is the real client.
struct ServeProcess {
    let redis: RedisServer
    let port: Int
    let process: CouponProcess

    /// Starts `coupon serve` with `options` added and waits until it listens.
    init(_ options: [String], environment: [String: String] = [:]) async throws {
        redis = try await RedisServer()
        let setup = RedisClient(configuration: redis.configuration)
        _ = try await RedisDeployment(client: setup).initialise(try Partitioning(count: 2))
        setup.close()
        port = try FreePort.next()
        let process = try CouponProcess(
            ["serve", "--redis", redis.url, "--partitions", "2", "--port", String(port), "--workers", "0"] + options,
            environment: environment)
        self.process = process
        #expect(try await eventually { process.log.contains("listening on") }, "\(process.log)")
    }

    /// One POST with curl: status and body parsed as JSON.
    func post(_ path: String, _ body: String, token: String? = nil) throws -> (status: Int, json: [String: Any]?) {
        let curl = TestProcess()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments =
            [
                "-s", "-w", "\n%{http_code}", "-X", "POST", "http://127.0.0.1:\(port)\(path)", "-H",
                "Content-Type: application/json", "-d", body,
            ] + (token.map { ["-H", "Authorization: Bearer \($0)"] } ?? [])
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        let json = try? JSONSerialization.jsonObject(with: Data(lines.dropLast().joined(separator: "\n").utf8))
        return (status, json as? [String: Any])
    }

    /// Sends SIGTERM and returns the exit status once the process has ended.
    func stop() async throws -> Int32 {
        process.signal(SIGTERM)
        return try await process.waitForExit().status
    }
}
