/// The one error type of the Redis client.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// Could not connect (refused, unreachable, timed out).
        public static let connectionFailed = Code(name: "connectionFailed")
        /// The connection broke while a command was in flight: it may or may not have run.
        public static let connectionLost = Code(name: "connectionLost")
        /// The server answered with an error reply (`-ERR …`, `-NOSCRIPT …`).
        public static let serverError = Code(name: "serverError")
        /// The reply had a shape the caller did not expect.
        public static let unexpectedReply = Code(name: "unexpectedReply")
        /// The client was closed.
        public static let closed = Code(name: "closed")
        /// Durability `replicated`: no replica confirmed the write in time. It ran on the master and
        /// may or may not survive a failover.
        public static let unconfirmed = Code(name: "unconfirmed")
        /// The URL could not be parsed.
        public static let invalidURL = Code(name: "invalidURL")
        public var description: String { name }
    }

    /// What a server error reply means, from its first word. Classified here, once, so callers
    /// switch over a kind instead of matching message text.
    public enum ServerKind: String, Sendable, CaseIterable {
        case noScript = "NOSCRIPT"
        case noGroup = "NOGROUP"
        case busyGroup = "BUSYGROUP"
        case moved = "MOVED"
        case ask = "ASK"
        case tryAgain = "TRYAGAIN"
        case clusterDown = "CLUSTERDOWN"
        case readOnly = "READONLY"
        case outOfMemory = "OOM"
        case loading = "LOADING"
        case busy = "BUSY"
        case noAuth = "NOAUTH"
        case wrongPass = "WRONGPASS"
        case wrongType = "WRONGTYPE"
        /// Any other error reply (`ERR …` and the like).
        case other = ""

        init(message: String) {
            self = ServerKind(rawValue: String(message.prefix { $0 != " " })) ?? .other
        }
    }

    public let code: Code
    public let message: String
    /// For `serverError`: what the reply means; nil for every other code.
    public let serverKind: ServerKind?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        self.serverKind = code == .serverError ? ServerKind(message: message) : nil
    }

    /// True when the server reported that the script is not in its cache.
    public var isNoScript: Bool { serverKind == .noScript }

    /// True for failures of the link to Redis (as opposed to answers from it).
    public var isConnectionError: Bool {
        code == .connectionFailed || code == .connectionLost || code == .closed
    }

    public var description: String { "Redis \(code): \(message)" }
}
