/// One request to a script written to decide many requests in one run.
///
/// Such a script takes `KEYS = sharedKeys + keys₁ + keys₂ + …` and `ARGV = arguments₁ +
/// arguments₂ + …` (every request brings as many keys and as many arguments as the others) and
/// answers an array with one element per request, in order. Calls with the same script and the
/// same shared keys that wait on one connection at the same time travel as one `EVALSHA`: Redis
/// runs the script once for all of them, which costs it far less than one run each.
public struct RedisScriptCall: Sendable {
    /// The loaded script's SHA.
    let digest: String
    let sharedKeys: [String]
    let keys: [String]
    let arguments: [String]
    /// Calls with equal groups may be combined.
    let group: String

    init(digest: String, sharedKeys: [String], keys: [String], arguments: [String]) {
        self.digest = digest
        self.sharedKeys = sharedKeys
        self.keys = keys
        self.arguments = arguments
        group = ([digest] + sharedKeys).joined(separator: "\u{0}")
    }

    /// The key Redis Cluster routes the call by: all its keys share one slot.
    var routingKey: String { sharedKeys.first ?? keys.first ?? "" }

    /// The `EVALSHA` carrying these calls (all of one group), in order.
    static func command(combining calls: some Collection<RedisScriptCall>) -> RedisCommand {
        let first = calls.first!
        let keyCount = first.sharedKeys.count + calls.reduce(0) { $0 + $1.keys.count }
        var command = RedisCommand("EVALSHA", first.digest, String(keyCount))
        for key in first.sharedKeys { command.append(key) }
        for call in calls {
            for key in call.keys { command.append(key) }
        }
        for call in calls {
            for argument in call.arguments { command.append(argument) }
        }
        return command
    }

    /// The call alone by SHA, uncombined (sent after `ASKING`).
    var aloneCommand: RedisCommand { Self.command(combining: CollectionOfOne(self)) }

    /// A call sent alone answers an array of one element: that element.
    static func element(ofAlone reply: RedisReply) throws(RedisError) -> RedisReply {
        guard let only = reply.array?.first else {
            throw RedisError(.unexpectedReply, "a script for many requests answered \(reply) for one")
        }
        return only
    }

    /// The same call alone, by source, for when Redis no longer knows the SHA.
    func evalCommand(source: String) -> RedisCommand {
        .eval(source, keys: sharedKeys + keys, arguments: arguments)
    }
}
