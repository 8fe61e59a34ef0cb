import CouponAudit
import Foundation
import Hummingbird

enum JSONResponse {
    static func make(status: HTTPResponse.Status, _ value: some JSONWritable) -> Response {
        render(status: status, value).response
    }

    static func render(
        status: HTTPResponse.Status, _ value: some JSONWritable, adding extra: HTTPFields = [:]
    ) -> RenderedAnswer {
        var writer = JSONWriter()
        value.write(to: &writer)
        var fields = headers
        if !extra.isEmpty { fields.append(contentsOf: extra) }
        return RenderedAnswer(status: status, headers: fields, body: writer.buffer)
    }

    /// The audit answers: larger, not on the hot path, encoded by Foundation with sorted keys (the
    /// same encoder settings as `coupon audit --format json`).
    static func encode(status: HTTPResponse.Status = .ok, _ value: some Encodable) throws -> Response {
        Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(data: try AuditOutput.encoder(pretty: false).encode(value)))
        )
    }

    /// Made once: a header field checks its value when it is made, and every answer carries this one.
    private static let headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
}
