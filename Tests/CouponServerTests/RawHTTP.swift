import Foundation
import TestSupport

/// HTTP/1.1 over a plain socket, for what a client library hides: several requests in one write
/// (pipelining), an answer's exact header fields, the server closing the connection. Reads wait on
/// a thread of their own (`offThePool`), at most 5 s each.
enum RawHTTP {
    struct Answer: Sendable {
        let status: Int
        /// In the order sent, names as written.
        let fields: [Field]
        let body: Data

        struct Field: Sendable, Equatable {
            let name: String
            let value: String
        }

        func field(_ name: String) -> String? { fields.first { $0.name.lowercased() == name.lowercased() }?.value }

        /// The body parsed by Foundation.
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
        var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }
    }

    static func connect(port: Int) throws -> Int32 {
        let fd = try AccessTests.connect(port: port)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func issue(_ coupon: Int, _ user: String) -> String {
        let body = #"{"userId": "\#(user)"}"#
        return "POST /v1/coupons/\(coupon)/issues HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    static func get(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: test\r\n\r\n" }

    /// Writes `requests` in one write and reads `count` answers.
    static func exchange(_ fd: Int32, _ requests: String, answers count: Int) async throws -> [Answer] {
        try await offThePool {
            let bytes = Array(requests.utf8)
            guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
                throw TestSupportError("write failed: errno \(errno)")
            }
            var buffer: [UInt8] = []
            var answers: [Answer] = []
            while answers.count < count {
                if let (answer, used) = parse(buffer) {
                    answers.append(answer)
                    buffer.removeFirst(used)
                    continue
                }
                var chunk = [UInt8](repeating: 0, count: 65_536)
                let read = read(fd, &chunk, chunk.count)
                guard read > 0 else {
                    throw TestSupportError("read \(read) (errno \(errno)) after \(answers.count) answers")
                }
                buffer += chunk[0..<read]
            }
            return answers
        }
    }

    /// True when the server has closed the connection: a read sees its end (within 5 s).
    static func closedByServer(_ fd: Int32) async -> Bool {
        await offThePool {
            var byte: UInt8 = 0
            return read(fd, &byte, 1) == 0
        }
    }

    /// One whole answer at the start of `bytes` (Content-Length bodies), and the bytes it took.
    private static func parse(_ bytes: [UInt8]) -> (Answer, Int)? {
        let end = Array("\r\n\r\n".utf8)
        guard let headEnd = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == end }) else {
            return nil
        }
        let lines = String(decoding: bytes[0..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        let fields = lines.dropFirst().map { line -> Answer.Field in
            let colon = line.firstIndex(of: ":")!
            return Answer.Field(
                name: String(line[..<colon]),
                value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(fields.first { $0.name.lowercased() == "content-length" }?.value ?? "0") ?? 0
        guard bytes.count >= headEnd + 4 + length else { return nil }
        let body = Data(bytes[(headEnd + 4)..<(headEnd + 4 + length)])
        return (Answer(status: status, fields: fields, body: body), headEnd + 4 + length)
    }
}
