import Foundation

/// Where Redis is and how the client talks to it.
public struct RedisConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Further servers to try when `host:port` does not answer: seeds of a Redis Cluster. Whether
    /// the server is a cluster is asked on connect (`INFO cluster`).
    public var otherSeeds: [RedisNode] = []
    /// Durability `replicated`: a script's answer waits until this many replicas confirm its
    /// writes (`WAIT`); 0 (durability `local`): answered as soon as the master ran it.
    public var replicaAcknowledgements: Int = 0
    /// How long `WAIT` may take before the answer is `unconfirmed`.
    public var replicaTimeout: Duration = .milliseconds(500)
    /// In a cluster: how long a command keeps being retried while its slot has no reachable
    /// master (a failover in progress, `CLUSTERDOWN`, `TRYAGAIN`) before the caller gets the error.
    public var clusterRetryBudget: Duration = .seconds(3)
    /// Connections in the pool; each carries a pipeline of its own.
    public var poolSize: Int
    /// Commands in flight on one connection before the pool spills over to the next.
    public var pipelineDepth: Int
    /// Script calls of one group (see `RedisScriptCall`) carried by one command at most; 1: each
    /// call is a command of its own.
    public var scriptBatchLimit: Int = 32
    public var connectTimeout: Duration
    /// How long a reply may take before the connection is declared lost.
    public var commandTimeout: Duration
    /// After a failed connect, commands fail at once for this long instead of each retrying.
    public var reconnectBackoff: Duration
    /// Sent as `AUTH [username] password` on every (re)connect when set.
    public var username: String?
    public var password: String?
    /// Sent as `SELECT database` on every (re)connect when not 0.
    public var database: Int = 0

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

    /// Parses `redis://[[username:]password@]host[:port][,host[:port]…][/database]` (port 6379, database 0 by
    /// default; percent-escapes in the credentials are decoded).
    public init(url: String) throws(RedisError) {
        let prefix = "redis://"
        // Errors show the URL with its credentials masked: a mistyped URL still carries a password.
        let shown = RedisConfiguration.masked(url)
        guard url.hasPrefix(prefix) else {
            throw RedisError(
                .invalidURL, "expected redis://[[user:]password@]host:port[,host:port…][/db], got '\(shown)'")
        }
        var rest = Substring(url.dropFirst(prefix.count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else {
                    throw RedisError(.invalidURL, "bad database number in '\(shown)'")
                }
                database = number
            }
            rest = rest[..<slash]
        }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = String(credentials[..<colon])
                username = user.isEmpty ? nil : user.removingPercentEncoding ?? user
                let secret = String(credentials[credentials.index(after: colon)...])
                password = secret.removingPercentEncoding ?? secret
            } else {
                password = String(credentials).removingPercentEncoding ?? String(credentials)
            }
        }
        var nodes: [RedisNode] = []
        for seed in rest.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = seed.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), !parts[0].isEmpty else {
                throw RedisError(
                    .invalidURL, "expected redis://[[user:]password@]host:port[,host:port…][/db], got '\(shown)'")
            }
            var port = 6379
            if parts.count == 2 {
                guard let parsed = Int(parts[1]), (1...65535).contains(parsed) else {
                    throw RedisError(.invalidURL, "bad port in '\(shown)'")
                }
                port = parsed
            }
            nodes.append(RedisNode(host: String(parts[0]), port: port))
        }
        self.init(host: nodes[0].host, port: nodes[0].port)
        self.otherSeeds = Array(nodes.dropFirst())
        self.username = username
        self.password = password.flatMap { $0.isEmpty ? nil : $0 }
        self.database = database
    }

    /// The same server with a pool of `size` connections (e.g. 1 for a one-off check).
    public func withPoolSize(_ size: Int) -> RedisConfiguration {
        var copy = self
        copy.poolSize = size
        return copy
    }

    /// Every server given, the first one first.
    public var seeds: [RedisNode] { [RedisNode(host: host, port: port)] + otherSeeds }

    /// The same settings for one server of a cluster.
    func at(_ node: RedisNode) -> RedisConfiguration {
        var copy = self
        copy.host = node.host
        copy.port = node.port
        copy.otherSeeds = []
        return copy
    }

    /// Everything between the scheme and the last `@` (user and password) replaced by `***`.
    static func masked(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@") else { return url }
        let start = url.range(of: "://").map(\.upperBound) ?? url.startIndex
        guard start <= at else { return "***" + url[at...] }
        return url[..<start] + "***" + url[at...]
    }

    /// The URL without its password, for logs.
    public var url: String {
        "redis://\(password == nil ? "" : "***@")\(seeds.map(\.description).joined(separator: ","))"
            + (database == 0 ? "" : "/\(database)")
    }
}
