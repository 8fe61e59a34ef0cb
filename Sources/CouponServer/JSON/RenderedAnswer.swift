import Hummingbird
import NIOCore

/// An answer rendered to its status, header fields and body bytes: given to Hummingbird as a
/// `Response`, or written as HTTP parts by the event loop's fast path (`FastIssueAnswerHandler`),
/// so that both send the same answer.
struct RenderedAnswer: Sendable {
    let status: HTTPResponse.Status
    /// Content-Type and any fields of the answer's own (Retry-After); not Content-Length or Date,
    /// which whoever sends it adds.
    let headers: HTTPFields
    let body: ByteBuffer

    var response: Response { Response(status: status, headers: headers, body: .init(byteBuffer: body)) }
}
