import ArgumentParser
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Every option's default comes from a `COUPON_*` environment variable when it is set. A variable
/// that is set but malformed is an error naming it, never a silent fallback to the default: option
/// defaults cannot throw, so the problem is recorded here and `check()` (run by every command's
/// validation) reports it. It is reported even when the flag overrides the variable: the
/// environment is wrong either way.
enum OptionEnvironment {
    private static let problems = Mutex<[String: String]>([:])

    static func string(_ name: String, default value: String) -> String {
        raw(name) ?? value
    }

    static func int(_ name: String, default value: Int) -> Int {
        guard let text = raw(name) else { return value }
        guard let number = Int(text) else {
            record(name, "\(name) must be a whole number, got '\(text.prefix(40))'")
            return value
        }
        return number
    }

    static func double(_ name: String, default value: Double) -> Double {
        guard let text = raw(name) else { return value }
        guard let number = Double(text), number.isFinite else {
            record(name, "\(name) must be a number, got '\(text.prefix(40))'")
            return value
        }
        return number
    }

    /// Throws one error naming every malformed variable read so far.
    static func check() throws {
        let found = problems.withLock { $0 }
        guard !found.isEmpty else { return }
        throw ValidationError(found.keys.sorted().compactMap { found[$0] }.joined(separator: "; "))
    }

    private static func raw(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    private static func record(_ name: String, _ problem: String) {
        problems.withLock { $0[name] = problem }
    }
}
