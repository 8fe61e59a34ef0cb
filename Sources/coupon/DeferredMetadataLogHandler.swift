import Logging

/// swift-log's `StreamLogHandler`, with the logger's metadata rendered only for a line written,
/// and cheap to copy.
///
/// Hummingbird sets one metadata key (`hb.request.id`) on a copy of the logger for every request.
/// `StreamLogHandler` renders all its metadata into text again whenever a key is set (~1.5% of the
/// issue route's CPU in a profile, for lines that at the default level are never written), and it
/// is a dozen words large: every request's copy of the logger boxed it on the heap and retained
/// each of its fields. This handler keeps the metadata as it is, hands it over with each line it
/// writes (the line reads the same; no metadata provider is installed here, so none can override
/// a key), and shares one `StreamLogHandler` among its copies: two words, which a logger holds
/// without a box. Setting the level or the provider (at start-up) makes a new shared writer.
struct DeferredMetadataLogHandler: LogHandler {
    /// Immutable, so copies share it safely.
    private final class Writer: Sendable {
        let stream: StreamLogHandler

        init(_ stream: StreamLogHandler) { self.stream = stream }
    }

    private var writer: Writer
    var metadata: Logger.Metadata = [:]

    init(_ stream: StreamLogHandler) {
        writer = Writer(stream)
    }

    var logLevel: Logger.Level {
        get { writer.stream.logLevel }
        set { changeStream { $0.logLevel = newValue } }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { writer.stream.metadataProvider }
        set { changeStream { $0.metadataProvider = newValue } }
    }

    /// The level and the provider live in the shared writer: a change makes a new one.
    private mutating func changeStream(_ change: (inout StreamLogHandler) -> Void) {
        var stream = writer.stream
        change(&stream)
        writer = Writer(stream)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        }
        writer.stream.log(event: event)
    }
}
