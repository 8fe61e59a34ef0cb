/// One JSON object whose values are all strings, e.g. `{"userId": "u-42"}`: the issue route's
/// request bodies, and the archive's event payloads. It parses exactly that grammar (RFC 8259
/// whitespace and string escapes, surrogate pairs) and returns nil for anything else — numbers,
/// nesting, bad escapes, invalid UTF-8, duplicate keys, trailing bytes. On the issue route the
/// caller then falls back to JSONDecoder (profiling showed its machinery at ~5% of the route's
/// CPU for a 20-byte body); `coupon recover` needs the members in their written order.
public enum FlatJSON {
    /// The members in the order written.
    public static func members(_ bytes: UnsafeRawBufferPointer) -> [(name: String, value: String)]? {
        var parser = Parser(bytes: bytes)
        return parser.object()
    }

    public static func members(_ text: String) -> [(name: String, value: String)]? {
        var text = text
        return text.withUTF8 { members(UnsafeRawBufferPointer($0)) }
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func object() -> [(name: String, value: String)]? {
            skipWhitespace()
            guard take(UInt8(ascii: "{")) else { return nil }
            var result: [(name: String, value: String)] = []
            skipWhitespace()
            if take(UInt8(ascii: "}")) { return finish(result) }
            while true {
                skipWhitespace()
                guard let key = string() else { return nil }
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                guard let value = string() else { return nil }
                // Duplicate keys: RFC 8259 leaves the meaning open (JSONDecoder keeps the first);
                // not this path's business.
                // A linear scan: these objects have a handful of members.
                guard !result.contains(where: { $0.name == key }) else { return nil }
                result.append((key, value))
                skipWhitespace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                return finish(result)
            }
        }

        private mutating func finish(_ result: [(name: String, value: String)]) -> [(name: String, value: String)]? {
            skipWhitespace()
            return index == bytes.count ? result : nil
        }

        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            // Fast case: no escapes, nothing below 0x20.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    return String(validating: slice, as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                index += 1
            }
            index = start
            return escapedString()
        }

        private mutating func escapedString() -> String? {
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() -> Bool {
                guard !run.isEmpty else { return true }
                guard let text = String(validating: run, as: UTF8.self) else { return false }
                scalars.append(contentsOf: text.unicodeScalars)
                run.removeAll(keepingCapacity: true)
                return true
            }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return flush() ? String(scalars) : nil
                case 0..<0x20:
                    return nil
                case UInt8(ascii: "\\"):
                    guard flush(), index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{8}")
                    case UInt8(ascii: "f"): scalars.append("\u{C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        guard let scalar = unicodeEscape() else { return nil }
                        scalars.append(scalar)
                    default: return nil
                    }
                default:
                    run.append(byte)
                }
            }
            return nil
        }

        /// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`; a lone surrogate is not a scalar: nil.
        private mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = hex4() else { return nil }
            if (0xD800..<0xDC00).contains(high) {
                guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(),
                    (0xDC00..<0xE000).contains(low)
                else { return nil }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            }
            return Unicode.Scalar(high)
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                index += 1
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func skipWhitespace() {
            while index < bytes.count,
                bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
            {
                index += 1
            }
        }
    }
}
