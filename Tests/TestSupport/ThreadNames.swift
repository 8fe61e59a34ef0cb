import Foundation

/// The names of a process's threads as the OS shows them (`/proc/<pid>/task/<tid>/comm`, what
/// `top -H` prints); the test process's own when `pid` is nil.
public func threadNames(of pid: Int32? = nil) throws -> [String] {
    let tasks = "/proc/\(pid.map(String.init) ?? "self")/task"
    return try FileManager.default.contentsOfDirectory(atPath: tasks).map {
        // A thread that ended since the listing has no name left to read.
        ((try? String(contentsOfFile: "\(tasks)/\($0)/comm", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .newlines)
    }
}
