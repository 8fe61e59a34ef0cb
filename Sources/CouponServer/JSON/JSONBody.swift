import CouponCore
import Foundation
import Hummingbird

/// Reads a JSON request body: the right media type (415), a bounded size (413), a well-formed
/// document with the right field types (400).
struct JSONBody: Sendable {
    let maxSize: Int

    func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        guard let contentType = request.headers[.contentType], JSONBody.isJSON(contentType) else {
            throw APIError(
                status: .unsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE",
                message: "Content-Type must be application/json")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: maxSize)
        if let flat = T.self as? any FlatJSONDecodable.Type,
            let members = buffer.withUnsafeReadableBytes(FlatJSON.members),
            let value = flat.init(members: members) as? T
        {
            return value
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError.invalid(JSONBody.describe(error))
        }
    }

    /// `application/json`, any case, optionally followed by parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String) -> Bool {
        let expected = "application/json".utf8
        var value = contentType.utf8[...]
        while value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        guard value.count >= expected.count else { return false }
        for (byte, wanted) in zip(value, expected) where byte | 0x20 != wanted | 0x20 {
            return false
        }
        let rest = value.dropFirst(expected.count)
        return rest.first.map { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: " ") } ?? true
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).filter { !$0.isEmpty }
            return keys.isEmpty ? "body" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context): return "wrong type for '\(path(context))'"
        case .valueNotFound(_, let context): return "'\(path(context))' must not be null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "malformed JSON" : "invalid value for '\(path(context))'"
        @unknown default: return "malformed JSON"
        }
    }
}

/// A request body that the flat-object fast path can fill, from the members in the order written
/// (no name twice: the parser refuses duplicates); nil sends it to JSONDecoder.
protocol FlatJSONDecodable: Decodable {
    init?(members: [(name: String, value: String)])
}
