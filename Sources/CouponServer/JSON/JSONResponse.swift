import Hummingbird

enum JSONResponse {
    static func make(status: HTTPResponse.Status, _ value: some JSONWritable) -> Response {
        var writer = JSONWriter()
        value.write(to: &writer)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: writer.buffer)
        )
    }
}
