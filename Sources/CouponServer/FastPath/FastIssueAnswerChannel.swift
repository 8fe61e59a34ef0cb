import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel with `FastIssueAnswerHandler` placed right after its
/// connection-state handler (Hummingbird's own hook for extra handlers puts them before it, where
/// the answers given here would escape its idle timeout and graceful shutdown).
struct FastIssueAnswerChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let answers: FastIssueAnswers

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let answers = answers
        return http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(FastIssueAnswerHandler(answers), position: .after(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
