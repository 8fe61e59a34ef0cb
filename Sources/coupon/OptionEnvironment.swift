import Foundation

/// Every option's default comes from a `COUPON_*` environment variable when it is set.
enum Environment {
    static func string(_ name: String, default value: String) -> String {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 } ?? value
    }

    static func int(_ name: String, default value: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? value
    }
}
