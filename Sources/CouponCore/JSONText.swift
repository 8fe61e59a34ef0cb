/// Where JSON text is written: a byte array (the archive's payloads) or, in the server, the
/// answer's buffer. (CouponCore does no I/O and knows no NIO: the server makes its buffer one.)
public protocol JSONByteSink {
    mutating func appendJSONByte(_ byte: UInt8)
    mutating func appendJSONBytes(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONByteSink where Element == UInt8 {
    public mutating func appendJSONByte(_ byte: UInt8) { append(byte) }
    public mutating func appendJSONBytes(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}

/// JSON string literals, for the archive's payloads and the API's responses alike.
public enum JSONText {
    /// Appends a JSON string literal as UTF-8: quotes, backslashes and control characters escaped,
    /// everything else (non-ASCII included) as it is. Written on the string's own bytes: this runs
    /// for every field of every projected event and every string of every answer (appending to a
    /// `String` piece by piece was ~10% of a worker's profile; copying each string of an answer
    /// through an array and scanning its `UTF8View` was part of 5.6% of a 409's). Inlinable, so
    /// that the server's buffer gets a specialized copy rather than generic calls.
    @inlinable
    public static func appendString(_ value: String, to sink: inout some JSONByteSink) {
        var value = value
        value.withUTF8 { utf8 in
            sink.appendJSONByte(UInt8(ascii: "\""))
            // Almost every value needs no escaping: appended whole.
            if isPlain(utf8) {
                sink.appendJSONBytes(utf8)
            } else {
                appendEscaped(utf8, to: &sink)
            }
            sink.appendJSONByte(UInt8(ascii: "\""))
        }
    }

    /// True when the bytes go into a JSON string literal as they are: no quote, backslash or
    /// control character.
    @usableFromInline
    static func isPlain(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in utf8 where needsEscape(byte) { return false }
        return true
    }

    /// The bytes with quotes, backslashes and control characters escaped (no surrounding quotes).
    @usableFromInline
    static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to sink: inout some JSONByteSink) {
        for byte in utf8 {
            guard needsEscape(byte) else {
                sink.appendJSONByte(byte)
                continue
            }
            sink.appendJSONByte(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): sink.appendJSONByte(byte)
            case UInt8(ascii: "\n"): sink.appendJSONByte(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): sink.appendJSONByte(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): sink.appendJSONByte(UInt8(ascii: "t"))
            default:
                // `\u00XX`, lower-case hex.
                sink.appendJSONByte(UInt8(ascii: "u"))
                sink.appendJSONByte(UInt8(ascii: "0"))
                sink.appendJSONByte(UInt8(ascii: "0"))
                sink.appendJSONByte(hexDigits[Int(byte >> 4)])
                sink.appendJSONByte(hexDigits[Int(byte & 0xF)])
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }
}
