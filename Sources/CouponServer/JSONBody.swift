import Foundation
import Hummingbird

/// Reads a JSON request body: the right media type (415), a bounded size (413), a well-formed
/// document with the right field types (400).
struct JSONBody: Sendable {
    let maxSize: Int

    func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        guard let contentType = request.headers[.contentType],
            contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
                == "application/json"
        else {
            throw APIError(
                status: .unsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE",
                message: "Content-Type must be application/json")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: maxSize)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError.invalid(JSONBody.describe(error))
        }
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
