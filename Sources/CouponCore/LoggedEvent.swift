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
        // Written as bytes, sized up front (escapes aside): building it as a growing `String`
        // cost more than the rest of the event's decoding.
        var json: [UInt8] = []
        json.reserveCapacity(fields.reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 6 })
        json.append(UInt8(ascii: "{"))
        for (index, field) in fields.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            JSONText.appendString(field.name, to: &json)
            json.append(UInt8(ascii: ":"))
            JSONText.appendString(field.value, to: &json)
        }
        json.append(UInt8(ascii: "}"))
        return String(decoding: json, as: UTF8.self)
    }
}
