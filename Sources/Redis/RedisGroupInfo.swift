/// One consumer group as `XINFO GROUPS key` describes it: a flat list of field–value pairs per
/// group. Read leniently: a field this Redis does not send is nil.
public struct RedisGroupInfo: Sendable, Equatable {
    public let name: String
    /// Entries delivered to the group's consumers and not yet acknowledged.
    public let pending: Int64?
    public let lastDeliveredID: String?
    /// Entries not yet delivered to the group; nil where Redis cannot tell (entries were deleted,
    /// or a Redis before 7 that does not report it).
    public let lag: Int64?

    public static func parseList(_ reply: RedisReply) -> [RedisGroupInfo] {
        (reply.array ?? []).map { group in
            let fields = group.array ?? []
            var info: [String: RedisReply] = [:]
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                info[fields[index].string ?? ""] = fields[index + 1]
            }
            return RedisGroupInfo(
                name: info["name"]?.string ?? "", pending: info["pending"]?.int,
                lastDeliveredID: info["last-delivered-id"]?.string, lag: info["lag"]?.int)
        }
    }
}
