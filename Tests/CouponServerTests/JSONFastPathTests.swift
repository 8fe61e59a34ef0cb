import CouponCore
import Foundation
import Testing

@testable import CouponServer

/// The flat-object fast path must never disagree with JSONDecoder: wherever it answers, the
/// answer is JSONDecoder's; everything else it leaves to JSONDecoder.
@Suite struct JSONFastPathTests {
    func fast(_ text: [UInt8]) -> [String: String]? {
        text.withUnsafeBytes { FlatJSON.members($0) }.map {
            Dictionary(uniqueKeysWithValues: $0.map { ($0.name, $0.value) })
        }
    }

    func foundation(_ text: [UInt8]) -> [String: String]? {
        try? JSONDecoder().decode([String: String].self, from: Data(text))
    }

    @Test func parsesTheBodiesTheRouteGets() {
        #expect(fast(Array(#"{"userId":"u-42"}"#.utf8)) == ["userId": "u-42"])
        #expect(
            fast(Array(" {\n\t\"userId\" : \"a\\\"b\\\\c\\/d\\u00e9\\ud83d\\ude00\" , \"x\":\"\" } ".utf8))
                == ["userId": "a\"b\\c/dé😀", "x": ""])
        #expect(fast(Array("{}".utf8)) == [:])
    }

    @Test(arguments: [
        #"{"userId": 42}"#, #"{"userId": null}"#, #"{"a": {"b": "c"}}"#, #"["u"]"#, #"{"userId": "u""#,
        #"{"userId": "u"} x"#, #"{"userId": "\ud800"}"#, #"{"userId": "\q"}"#, "{\"userId\": \"a\u{1}b\"}",
        #"{"userId": "u",}"#, #"{,}"#, "", #"{"userId" "u"}"#,
    ])
    func leavesEverythingElseToJSONDecoder(_ text: String) {
        #expect(fast(Array(text.utf8)) == nil)
    }

    @Test func agreesWithJSONDecoderOnGeneratedAndMutatedDocuments() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "a", "Z", "0", " ", "é", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\u0041", "\\u00e9", "\\ud83d\\ude00",
            "\\ud800", "\"",
        ]
        var agreed = 0
        for _ in 0..<3_000 {
            var document = "{"
            for member in 0..<Int.random(in: 0...3, using: &generator) {
                if member > 0 { document += Bool.random(using: &generator) ? "," : " , " }
                let key = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                    pieces.randomElement(using: &generator)!
                }.joined()
                let value = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
                    pieces.randomElement(using: &generator)!
                }.joined()
                document += "\"\(key)\"" + (Bool.random(using: &generator) ? ":" : " : ") + "\"\(value)\""
            }
            document += "}"
            var bytes = Array(document.utf8)
            if Bool.random(using: &generator), !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if let answer = fast(bytes) {
                #expect(answer == foundation(bytes), "\(String(decoding: bytes, as: UTF8.self))")
                agreed += 1
            }
        }
        #expect(agreed > 500)
    }

    @Test func recognisesJSONMediaTypes() {
        #expect(JSONBody.isJSON("application/json"))
        #expect(JSONBody.isJSON("Application/JSON; charset=utf-8"))
        #expect(JSONBody.isJSON("application/json;charset=UTF-8"))
        #expect(!JSONBody.isJSON("application/jsonx"))
        #expect(!JSONBody.isJSON("text/plain"))
        #expect(!JSONBody.isJSON("application/js"))
        #expect(!JSONBody.isJSON(""))
    }
}

@Suite struct JSONWriterTests {
    @Test func writesWhatJSONSerializationReadsBack() throws {
        for text in ["plain", "quote \" backslash \\ slash /", "line\nbreak\ttab\r\u{1}\u{1F}", "é😀", ""] {
            var writer = JSONWriter()
            writer.object { o in
                o.member("n", Int64(-42))
                o.member("s", text)
                o.member("t", true)
                o.member("o") { $0.member("x", text) }
            }
            let parsed = try JSONSerialization.jsonObject(with: Data(buffer: writer.buffer)) as? [String: Any]
            #expect(parsed?["s"] as? String == text)
            #expect(parsed?["n"] as? Int == -42)
            #expect(parsed?["t"] as? Bool == true)
            #expect((parsed?["o"] as? [String: Any])?["x"] as? String == text)
        }
    }
}
