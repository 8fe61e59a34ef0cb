/// Why a projection store could not be opened.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case invalidURL(String)
    case unsupported(String)
    /// The database holds something the projection never writes.
    case corrupt(String)

    public var description: String {
        switch self {
        case .invalidURL(let message): return message
        case .unsupported(let message): return message
        case .corrupt(let message): return message
        }
    }
}
