/// A rate as `--rate-limit-user` takes it: `5/s`, `300/m`, `1000/h`, plus a burst.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    public let perSecond: Double
    /// Requests allowed at once after a quiet spell; the bucket's size.
    public let burst: Int

    public init(_ text: String, burst: Int? = nil) throws(LimitConfigurationError) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let count = Double(parts[0]), count > 0, count <= 1_000_000 else {
            throw LimitConfigurationError("expected a rate like 5/s, 300/m or 1000/h, got '\(text)'")
        }
        let seconds: Double
        switch parts[1] {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        default: throw LimitConfigurationError("expected a rate per s, m or h, got '\(text)'")
        }
        perSecond = count / seconds
        let size = burst ?? max(1, Int(count.rounded(.up)))
        guard (1...1_000_000).contains(size) else {
            throw LimitConfigurationError("a burst must be 1–1000000, got \(size)")
        }
        self.burst = size
        description = "\(text) (burst \(size))"
    }

    public let description: String
}

public struct LimitConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
