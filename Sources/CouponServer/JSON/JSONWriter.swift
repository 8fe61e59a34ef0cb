import CouponCore
import Hummingbird

/// Writes the API's small, fixed-shape JSON objects straight into a ByteBuffer. Profiling showed
/// Foundation's JSONEncoder at ~5% of the issue route's CPU; these shapes need none of its
/// generality. Members come out in the order written: callers write them sorted by name.
struct JSONWriter {
    private(set) var buffer: ByteBuffer
    private var needsComma = false

    init(capacity: Int = 256) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        buffer.writeInteger(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        buffer.writeInteger(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    mutating func member(_ name: StaticString, _ value: Int64) {
        key(name)
        buffer.writeString(String(value))
    }

    mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        buffer.writeStaticString(value ? "true" : "false")
    }

    mutating func member(_ name: StaticString, object body: (inout JSONWriter) -> Void) {
        key(name)
        object(body)
    }

    /// A member whose value writes itself (it opens and closes its own object).
    mutating func member(_ name: StaticString, _ value: some JSONWritable) {
        key(name)
        value.write(to: &self)
    }

    private mutating func key(_ name: StaticString) {
        if needsComma { buffer.writeInteger(UInt8(ascii: ",")) }
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(name)
        buffer.writeStaticString("\":")
        needsComma = true
    }

    private mutating func string(_ value: String) {
        JSONText.appendString(value, to: &buffer)
    }
}

/// The answer's buffer takes JSON string literals straight from `JSONText`.
extension ByteBuffer: JSONByteSink {
    public mutating func appendJSONByte(_ byte: UInt8) { writeInteger(byte) }
    public mutating func appendJSONBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        writeBytes(UnsafeRawBufferPointer(bytes))
    }
}

/// A response body the writer can produce.
protocol JSONWritable {
    func write(to writer: inout JSONWriter)
}
