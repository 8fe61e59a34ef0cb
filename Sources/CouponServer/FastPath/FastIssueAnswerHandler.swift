import CouponCore
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers final issue requests on the event loop (`FastIssueAnswers`) and passes every other
/// request on, part by part, unchanged, to Hummingbird's router.
///
/// It sits right after Hummingbird's `HTTPConnectionStateHandler`, so that handler still sees
/// every request and every answer: the idle timeout and graceful shutdown count the answers given
/// here like any other.
///
/// Answers leave in the order the requests came (HTTP/1.1 pipelining): while a request handed to
/// the router is unanswered, every later request is handed to the router too.
final class FastIssueAnswerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// A request that may be answered here: its head, its coupon and its body so far, kept
        /// until its end.
        case holding(HTTPRequest, CouponID, ByteBuffer?)
        /// A request going to the router.
        case passing
    }

    private let answers: FastIssueAnswers
    private var state = State.idle
    /// Requests handed to the router whose answer has not been written in full yet.
    private var routerAnswersOwed = 0
    private var date = HTTPDateField()

    init(_ answers: FastIssueAnswers) {
        self.answers = answers
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (state, part) {
        case (.idle, .head(let head)):
            if routerAnswersOwed == 0, let coupon = answers.candidate(head) {
                state = .holding(head, coupon, nil)
            } else {
                handOver(context, head, nil)
            }
        case (.holding(let head, let coupon, var body), .body(let chunk)):
            state = .passing  // the kept body is not shared while it grows
            if body == nil { body = chunk } else { body!.writeImmutableBuffer(chunk) }
            if body!.readableBytes > answers.maxBodySize {
                handOver(context, head, body)  // the router refuses it, with 413
            } else {
                state = .holding(head, coupon, body)
            }
        case (.holding(let head, let coupon, let body), .end(let trailers)):
            if trailers == nil,
                let answer = answers.answer(head, coupon: coupon, body: body, peer: { context.channel.remoteAddress })
            {
                write(answer, context)
            } else {
                handOver(context, head, body)
                context.fireChannelRead(data)
            }
            state = .idle
        case (.passing, .end):
            state = .idle
            context.fireChannelRead(data)
        default:
            // The rest of a request going to the router; and anything out of order, which the
            // router's own reading reports.
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), routerAnswersOwed > 0 { routerAnswersOwed -= 1 }
        context.write(data, promise: promise)
    }

    /// Passes a request's parts so far to the router; the rest follows as it comes.
    private func handOver(_ context: ChannelHandlerContext, _ head: HTTPRequest, _ body: ByteBuffer?) {
        state = .passing
        routerAnswersOwed += 1
        context.fireChannelRead(wrapInboundOut(.head(head)))
        if let body { context.fireChannelRead(wrapInboundOut(.body(body))) }
    }

    /// The answer as Hummingbird would write it: the answer's own fields, Content-Length, Date.
    private func write(_ answer: RenderedAnswer, _ context: ChannelHandlerContext) {
        var fields = answer.headers
        fields.append(HTTPField(name: .contentLength, value: String(answer.body.readableBytes)))
        fields.append(date.now())
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
