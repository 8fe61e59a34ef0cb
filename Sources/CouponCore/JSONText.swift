/// JSON string literals, for the archive's payloads and the API's responses alike.
public enum JSONText {
    /// Appends a JSON string literal as UTF-8: quotes, backslashes and control characters escaped,
    /// everything else (non-ASCII included) as it is. Written on bytes: this runs for every field
    /// of every projected event, and appending to a `String` piece by piece showed up at ~10% of a
    /// worker's profile.
    public static func appendString(_ value: String, to json: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            json.append(UInt8(ascii: "\""))
            // Almost every value needs no escaping: appended whole.
            if isPlain(utf8) {
                json.append(contentsOf: utf8)
            } else {
                appendEscaped(utf8, to: &json)
            }
            json.append(UInt8(ascii: "\""))
        }
    }

    /// True when the bytes go into a JSON string literal as they are: no quote, backslash or
    /// control character. A scan of the string's own bytes, not of its `UTF8View`: for every
    /// string of every answer and every projected event.
    public static func isPlain(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in utf8 where needsEscape(byte) { return false }
        return true
    }

    /// The bytes with quotes, backslashes and control characters escaped (no surrounding quotes).
    public static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to json: inout [UInt8]) {
        for byte in utf8 {
            guard needsEscape(byte) else {
                json.append(byte)
                continue
            }
            json.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): json.append(byte)
            case UInt8(ascii: "\n"): json.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): json.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): json.append(UInt8(ascii: "t"))
            default:
                // `\u00XX`, lower-case hex.
                json.append(contentsOf: [
                    UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigits[Int(byte >> 4)],
                    hexDigits[Int(byte & 0xF)],
                ])
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }
}
