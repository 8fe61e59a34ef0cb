/// A command as a typed value: its arguments laid out in one flat byte buffer, ready for
/// `redisAppendCommandArgv` without a copy per argument.
public struct RedisCommand: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var lengths: [Int] = []

    public init(_ arguments: [String]) {
        bytes.reserveCapacity(arguments.reduce(0) { $0 + $1.utf8.count })
        lengths.reserveCapacity(arguments.count)
        for argument in arguments { append(argument) }
    }

    public init(_ name: String, _ arguments: String...) {
        self.init([name] + arguments)
    }

    public mutating func append(_ argument: String) {
        bytes.append(contentsOf: argument.utf8)
        lengths.append(argument.utf8.count)
    }

    public var argumentCount: Int { lengths.count }

    /// The arguments as strings, for logs and tests.
    public var arguments: [String] {
        var offset = 0
        return lengths.map { length in
            defer { offset += length }
            return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
        }
    }
}

extension RedisCommand {
    public static func get(_ key: String) -> RedisCommand { RedisCommand("GET", key) }
    public static func xlen(_ key: String) -> RedisCommand { RedisCommand("XLEN", key) }
    public static func scriptLoad(_ source: String) -> RedisCommand { RedisCommand("SCRIPT", "LOAD", source) }

    public static func evalsha(_ sha: String, keys: [String], arguments: [String]) -> RedisCommand {
        RedisCommand(["EVALSHA", sha, String(keys.count)] + keys + arguments)
    }

    public static func eval(_ source: String, keys: [String], arguments: [String]) -> RedisCommand {
        RedisCommand(["EVAL", source, String(keys.count)] + keys + arguments)
    }

    /// `WAIT n timeout` for the durability the configuration asks for.
    static func wait(_ configuration: RedisConfiguration) -> RedisCommand {
        RedisCommand(
            "WAIT", String(configuration.replicaAcknowledgements),
            String(max(1, configuration.replicaTimeout.milliseconds)))
    }

    /// EVAL or EVALSHA (read from the bytes: this is asked per command on the hot path).
    var isScript: Bool {
        guard let length = lengths.first, length == 4 || length == 7 else { return false }
        let name = bytes[0..<length].lazy.map { $0 & 0xDF }  // ASCII upper case
        return name.elementsEqual("EVAL".utf8) || name.elementsEqual("EVALSHA".utf8)
    }
}
