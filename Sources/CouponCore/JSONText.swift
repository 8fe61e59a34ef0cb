/// JSON string literals, for the archive's payloads and the API's responses alike.
public enum JSONText {
    /// Appends a JSON string literal: quotes, backslashes and control characters escaped.
    public static func appendString(_ value: String, to json: inout String) {
        json += "\""
        // Almost every value needs no escaping: append it whole (this runs once per field of
        // every projected event, and scalar-by-scalar appends showed up in the replay profile).
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            json += value
            json += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: json.unicodeScalars.append(scalar)
            }
        }
        json += "\""
    }
}
