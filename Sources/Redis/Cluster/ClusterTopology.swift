/// Which master serves which hash slot, as the cluster itself reports it.
struct ClusterTopology: Sendable {
    /// The master of each slot; nil while a slot has none.
    var owners: [RedisNode?] = Array(repeating: nil, count: HashSlot.count)

    /// No slot known yet.
    init() {}

    var masters: [RedisNode] {
        var seen = Set<RedisNode>()
        return owners.compactMap { $0 }.filter { seen.insert($0).inserted }
    }

    /// `CLUSTER SHARDS` (Redis 7): per shard a map with `slots` (start/end pairs) and `nodes`
    /// (maps with `ip`, `endpoint`, `port`, `role`, `health`). The master that is not marked
    /// failed owns the shard's slots.
    init(shards reply: RedisReply) throws(RedisError) {
        guard let shards = reply.array else { throw Self.malformed("CLUSTER SHARDS", reply) }
        for shard in shards {
            let fields = Self.map(shard)
            guard let slots = fields["slots"]?.array, let nodes = fields["nodes"]?.array else {
                throw Self.malformed("CLUSTER SHARDS", reply)
            }
            let master = nodes.lazy.map(Self.map).first { node in
                node["role"]?.string == "master" && node["health"]?.string != "fail"
            }
            guard let master, let node = Self.node(host: master["endpoint"] ?? master["ip"], port: master["port"])
            else { continue }
            for index in stride(from: 0, to: slots.count - 1, by: 2) {
                guard let start = slots[index].int, let end = slots[index + 1].int, start <= end, end < HashSlot.count
                else { throw Self.malformed("CLUSTER SHARDS", reply) }
                for slot in Int(start)...Int(end) { owners[slot] = node }
            }
        }
    }

    /// `CLUSTER SLOTS` (before Redis 7): `[start, end, [host, port, id…], replicas…]` per range.
    init(slots reply: RedisReply) throws(RedisError) {
        guard let ranges = reply.array else { throw Self.malformed("CLUSTER SLOTS", reply) }
        for range in ranges {
            guard let fields = range.array, fields.count >= 3, let start = fields[0].int, let end = fields[1].int,
                start <= end, end < HashSlot.count, let master = fields[2].array, master.count >= 2,
                let node = Self.node(host: master[0], port: master[1])
            else { throw Self.malformed("CLUSTER SLOTS", reply) }
            for slot in Int(start)...Int(end) { owners[slot] = node }
        }
    }

    private static func node(host: RedisReply?, port: RedisReply?) -> RedisNode? {
        guard let host = host?.string, !host.isEmpty, host != "?", let port = port?.int, port > 0 else { return nil }
        return RedisNode(host: host, port: Int(port))
    }

    /// A RESP2 map: a flat array of names and values.
    private static func map(_ reply: RedisReply) -> [String: RedisReply] {
        guard let items = reply.array else { return [:] }
        var fields: [String: RedisReply] = [:]
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            if let name = items[index].string { fields[name] = items[index + 1] }
        }
        return fields
    }

    private static func malformed(_ command: String, _ reply: RedisReply) -> RedisError {
        RedisError(.unexpectedReply, "\(command) answered \(String(describing: reply).prefix(200))")
    }
}
