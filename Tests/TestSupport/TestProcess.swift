import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process for the tests, started with `posix_spawn`: the part of Foundation's `Process`
/// the tests use, under the same names.
///
/// Why not `Process`: on Linux (Swift 6.3.1) `Process.run()` lists `/proc/self/fd` with a
/// 256-byte over-read of each entry, and crashes the whole test run when the last entry sits at
/// the end of readdir's buffer — which happens when the test process holds a thousand or more
/// descriptors, as the slow-client test does while other tests start processes
/// (swift-corelibs-foundation pull request 5472; seen here as a SIGSEGV in `Process.run()`).
///
/// Like `Process`: a `Pipe` or `FileHandle` may stand in for each standard stream (the pipe's far
/// end is closed in this process after the start), nil inherits this process's stream, and the
/// child gets no other descriptor of this process.
public final class TestProcess: @unchecked Sendable {
    // @unchecked: the configuration is set before `run()` and only read afterwards; the pid and
    // the exit status are behind `state`.
    public var executableURL: URL?
    public var arguments: [String] = []
    /// Nil: this process's environment.
    public var environment: [String: String]?
    public var standardInput: Any?
    public var standardOutput: Any?
    public var standardError: Any?

    public enum TerminationReason: Sendable { case exit, uncaughtSignal }

    private let state = Mutex<(pid: pid_t, status: Int32?)>((0, nil))

    public init() {}

    public var processIdentifier: Int32 { state.withLock { $0.pid } }

    /// Starts the process, or throws when it cannot be started.
    public func run() throws {
        guard let executable = executableURL?.path else { throw TestSupportError("TestProcess: no executable") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var farEnds: [FileHandle] = []
        for (stream, target) in [(Int32(0), standardInput), (1, standardOutput), (2, standardError)] {
            let handle: FileHandle
            switch target {
            case let pipe as Pipe:
                handle = stream == 0 ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                farEnds.append(handle)
            case let file as FileHandle:
                handle = file
            default:
                continue
            }
            if handle.fileDescriptor >= 0 {
                posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, stream)
            } else {
                // FileHandle.nullDevice has no descriptor of its own.
                posix_spawn_file_actions_addopen(&actions, stream, "/dev/null", stream == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        guard let closeFrom = TestProcess.addCloseFrom, closeFrom(&actions, 3) == 0 else {
            throw TestSupportError("TestProcess: posix_spawn_file_actions_addclosefrom_np is not available")
        }

        let environment =
            (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else {
            throw TestSupportError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        state.withLock { $0 = (pid, nil) }
        for handle in farEnds { try? handle.close() }
    }

    /// Reaps the child if it has ended; true while it runs.
    public var isRunning: Bool {
        state.withLock { state in
            guard state.pid > 0, state.status == nil else { return false }
            var status: Int32 = 0
            if waitpid(state.pid, &status, WNOHANG) == state.pid { state.status = status }
            return state.status == nil
        }
    }

    /// Blocks the calling thread until the child has ended.
    public func waitUntilExit() {
        let pid = processIdentifier
        guard pid > 0 else { return }
        while isRunning {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, 0)
            if reaped == pid {
                state.withLock { $0.status = status }
            } else if reaped < 0 && errno != EINTR {
                return
            }
        }
    }

    /// The exit code, or the signal that ended it (as `Process` reports it).
    public var terminationStatus: Int32 { ended.code }

    public var terminationReason: TerminationReason { ended.reason }

    /// waitpid's status taken apart: the low 7 bits are the signal, 0 for a normal exit.
    private var ended: (reason: TerminationReason, code: Int32) {
        let status = state.withLock { $0.status } ?? 0
        let signal = status & 0x7f
        return signal == 0 ? (.exit, (status >> 8) & 0xff) : (.uncaughtSignal, signal)
    }

    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does
    /// not declare: the child closes every descriptor from 3 up, as `Process` does for it.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }
}
