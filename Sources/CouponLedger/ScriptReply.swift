import Redis

/// A script's `{OUTCOME, detail…}` answer.
struct ScriptReply {
    let values: [String]

    init(_ reply: RedisReply) {
        values = reply.array?.map { $0.string ?? "" } ?? []
    }

    var outcome: String { values.first ?? "" }
    func text(_ index: Int) -> String? { index < values.count ? values[index] : nil }
    func int(_ index: Int) -> Int64? { text(index).flatMap { Int64($0) } }
}
