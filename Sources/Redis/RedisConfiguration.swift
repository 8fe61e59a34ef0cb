/// Where Redis is and how the client talks to it.
public struct RedisConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Connections in the pool; each carries a pipeline of its own.
    public var poolSize: Int
    /// Commands in flight on one connection before the pool spills over to the next.
    public var pipelineDepth: Int
    public var connectTimeout: Duration
    /// How long a reply may take before the connection is declared lost.
    public var commandTimeout: Duration
    /// After a failed connect, commands fail at once for this long instead of each retrying.
    public var reconnectBackoff: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        poolSize: Int = 4,
        pipelineDepth: Int = 128,
        connectTimeout: Duration = .milliseconds(500),
        commandTimeout: Duration = .seconds(2),
        reconnectBackoff: Duration = .milliseconds(100)
    ) {
        self.host = host
        self.port = port
        self.poolSize = poolSize
        self.pipelineDepth = pipelineDepth
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectBackoff = reconnectBackoff
    }

    /// Parses `redis://host:port` (the port defaults to 6379).
    public init(url: String) throws(RedisError) {
        let prefix = "redis://"
        guard url.hasPrefix(prefix) else {
            throw RedisError(.invalidURL, "expected redis://host:port, got '\(url)'")
        }
        var rest = url.dropFirst(prefix.count)
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty else {
            throw RedisError(.invalidURL, "expected redis://host:port, got '\(url)'")
        }
        var port = 6379
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (1...65535).contains(parsed) else {
                throw RedisError(.invalidURL, "bad port in '\(url)'")
            }
            port = parsed
        }
        self.init(host: String(parts[0]), port: port)
    }

    public var url: String { "redis://\(host):\(port)" }
}
