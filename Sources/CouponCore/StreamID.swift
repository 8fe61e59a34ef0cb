/// A Redis stream entry id, `<ms>-<n>`: ordered within one partition's stream only.
public struct StreamID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let millis: UInt64
    public let sequence: UInt64

    public init(millis: UInt64, sequence: UInt64) {
        self.millis = millis
        self.sequence = sequence
    }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let millis = UInt64(parts[0]), let sequence = UInt64(parts[1]) else { return nil }
        self.init(millis: millis, sequence: sequence)
    }

    public static let zero = StreamID(millis: 0, sequence: 0)

    public var description: String { "\(millis)-\(sequence)" }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        (lhs.millis, lhs.sequence) < (rhs.millis, rhs.sequence)
    }
}
