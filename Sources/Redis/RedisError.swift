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
        /// The URL could not be parsed.
        public static let invalidURL = Code(name: "invalidURL")
        public var description: String { name }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// True when the server reported that the script is not in its cache.
    public var isNoScript: Bool { code == .serverError && message.hasPrefix("NOSCRIPT") }

    /// True for failures of the link to Redis (as opposed to answers from it).
    public var isConnectionError: Bool {
        code == .connectionFailed || code == .connectionLost || code == .closed
    }

    public var description: String { "Redis \(code): \(message)" }
}
