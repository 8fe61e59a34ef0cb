/// A user's id: 1–64 printable characters (no control, format or line-separator characters).
public struct UserID: Hashable, Sendable, CustomStringConvertible {
    public static let maxLength = 64
    public let value: String

    public init(_ value: String) throws(ValidationError) {
        let scalars = value.unicodeScalars
        guard !scalars.isEmpty else { throw ValidationError("userId must not be empty") }
        guard scalars.count <= UserID.maxLength else {
            throw ValidationError("userId must be at most \(UserID.maxLength) characters")
        }
        // Printable ASCII needs no Unicode property lookup (the common case, checked per request
        // and per projected event).
        let printableASCII = value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        guard printableASCII || scalars.allSatisfy(UserID.isPrintable) else {
            throw ValidationError("userId must contain printable characters only")
        }
        self.value = value
    }

    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
            return false
        default:
            return true
        }
    }

    public var description: String { value }
}
