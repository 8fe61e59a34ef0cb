/// One stream entry as XRANGE, XREADGROUP and XAUTOCLAIM return it: an id and flat field pairs.
public struct RedisStreamEntry: Sendable, Equatable {
    public let id: String
    /// Field–value pairs in the order they were written.
    public let fields: [(String, String)]

    public init(id: String, fields: [(String, String)]) {
        self.id = id
        self.fields = fields
    }

    public var dictionary: [String: String] {
        Dictionary(fields, uniquingKeysWith: { first, _ in first })
    }

    public static func == (lhs: RedisStreamEntry, rhs: RedisStreamEntry) -> Bool {
        lhs.id == rhs.id && lhs.fields.elementsEqual(rhs.fields, by: ==)
    }

    /// Parses an array of `[id, [field, value, …]]`. An entry deleted while pending comes back from
    /// XREADGROUP with nil fields: it is returned with no fields.
    public static func parseList(_ reply: RedisReply) throws(RedisError) -> [RedisStreamEntry] {
        guard let entries = reply.array else {
            if reply.isNull { return [] }
            throw RedisError(.unexpectedReply, "expected a list of stream entries, got \(reply)")
        }
        var result: [RedisStreamEntry] = []
        result.reserveCapacity(entries.count)
        for entry in entries {
            guard let parts = entry.array, parts.count == 2, let id = parts[0].string else {
                throw RedisError(.unexpectedReply, "malformed stream entry \(entry)")
            }
            let flat = parts[1].array ?? []
            var fields: [(String, String)] = []
            fields.reserveCapacity(flat.count / 2)
            var index = 0
            while index + 1 < flat.count {
                fields.append((flat[index].string ?? "", flat[index + 1].string ?? ""))
                index += 2
            }
            result.append(RedisStreamEntry(id: id, fields: fields))
        }
        return result
    }

    /// Parses XREADGROUP's `[[stream, [entries…]], …]` (or nil on timeout) into entries per stream.
    public static func parseRead(_ reply: RedisReply) throws(RedisError) -> [String: [RedisStreamEntry]] {
        if reply.isNull { return [:] }
        guard let streams = reply.array else {
            throw RedisError(.unexpectedReply, "expected XREADGROUP streams, got \(reply)")
        }
        var result: [String: [RedisStreamEntry]] = [:]
        for stream in streams {
            guard let pair = stream.array, pair.count == 2, let key = pair[0].string else {
                throw RedisError(.unexpectedReply, "malformed XREADGROUP stream \(stream)")
            }
            result[key] = try parseList(pair[1])
        }
        return result
    }
}
