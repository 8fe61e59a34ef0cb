import Foundation

/// A `coupon` executable run as a child process (workers in the crash tests run as real
/// processes, so that kill -9 is what it is).
public final class CouponProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in init and only read afterwards.
    private let process: TestProcess
    public let output: URL

    /// The binary `swift build` put next to the test bundle (or `COUPON_BIN`).
    public static func binary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["COUPON_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("coupon")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw TestSupportError("the coupon executable was not built: run `swift build --build-tests` first")
    }

    public init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process = TestProcess()
        process.executableURL = try CouponProcess.binary()
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["COUPON_LOG_LEVEL"] = "notice"
        merged.merge(environment) { $1 }
        process.environment = merged
        output = FileManager.default.temporaryDirectory.appendingPathComponent("coupon-process-\(UUID()).log")
        // Opened next, which throws if this failed.
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var isRunning: Bool { process.isRunning }
    public var pid: Int32 { process.processIdentifier }
    public var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit (polling, so a test's task is not blocked); returns how it ended.
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> (status: Int32, signaled: Bool) {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TestSupportError("process still running: \(log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
public func eventually(
    timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
