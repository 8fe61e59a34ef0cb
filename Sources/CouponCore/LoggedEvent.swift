/// An entry of a partition's stream: where it is in the log, its raw fields, and the decoded event.
public struct LoggedEvent: Sendable, Equatable {
    public let partition: Int
    public let id: StreamID
    public let fields: [Field]
    public let event: CouponEvent

    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(partition: Int, id: StreamID, fields: [Field]) throws(EventDecodingError) {
        self.partition = partition
        self.id = id
        self.fields = fields
        self.event = try CouponEvent(fields: fields)
    }

    /// The fields as a JSON object, in log order: the archive's `payload` column. Deterministic, so
    /// a replayed archive is byte-for-byte the one the workers wrote.
    public var payloadJSON: String {
        var json = "{"
        for (index, field) in fields.enumerated() {
            if index > 0 { json += "," }
            JSONText.appendString(field.name, to: &json)
            json += ":"
            JSONText.appendString(field.value, to: &json)
        }
        return json + "}"
    }
}

enum JSONText {
    /// Appends a JSON string literal: quotes, backslashes and control characters escaped.
    static func appendString(_ value: String, to json: inout String) {
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
