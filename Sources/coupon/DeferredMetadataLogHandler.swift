import Logging

/// swift-log's `StreamLogHandler`, with the logger's metadata rendered only for a line written.
///
/// `StreamLogHandler` renders all its metadata into text again whenever one key is set, and
/// Hummingbird sets one (`hb.request.id`) for every request: a cost on every request (~1.5% of the
/// issue route's CPU in a profile) for lines that, at the default level, are never written. This
/// handler keeps the metadata as it is and hands it over with each line it writes; the line
/// reads the same. (No metadata provider is installed here, so none can override a key.)
struct DeferredMetadataLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(_ stream: StreamLogHandler) {
        self.stream = stream
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
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
        stream.log(event: event)
    }
}
