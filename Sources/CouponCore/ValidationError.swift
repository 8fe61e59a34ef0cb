/// Input that breaks a domain rule. The message is written for the API user.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
