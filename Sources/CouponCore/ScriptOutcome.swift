/// The first word of every script's answer. The Lua text is built from these cases and the Swift
/// that reads the answer switches over them, so the two cannot drift apart.
public enum ScriptOutcome: String, Sendable, CaseIterable {
    // Admission.
    case issued = "ISSUED"
    case alreadyIssued = "ALREADY_ISSUED"
    case soldOut = "SOLD_OUT"
    case notStarted = "NOT_STARTED"
    case ended = "ENDED"
    // Definition.
    case defined = "DEFINED"
    case invalidWindow = "INVALID_WINDOW"
    // Reads.
    case found = "FOUND"
    case notIssued = "NOT_ISSUED"
    // Any script.
    case notFound = "NOT_FOUND"
    /// The generation key is missing: Redis lost its data.
    case unavailable = "UNAVAILABLE"

    /// The outcome as a Lua string literal, for the script text.
    var lua: String { "'\(rawValue)'" }
}
