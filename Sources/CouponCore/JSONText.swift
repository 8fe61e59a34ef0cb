/// JSON string literals, for the archive's payloads and the API's responses alike.
public enum JSONText {
    /// Appends a JSON string literal as UTF-8: quotes, backslashes and control characters escaped,
    /// everything else (non-ASCII included) as it is. Written on bytes: this runs for every field
    /// of every projected event, and appending to a `String` piece by piece showed up at ~10% of a
    /// worker's profile.
    public static func appendString(_ value: String, to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        let utf8 = value.utf8
        // Almost every value needs no escaping: appended whole.
        guard utf8.contains(where: needsEscape) else {
            json.append(contentsOf: utf8)
            json.append(UInt8(ascii: "\""))
            return
        }
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
        json.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }
}
