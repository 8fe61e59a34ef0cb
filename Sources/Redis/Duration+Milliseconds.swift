/// Redis takes timeouts and idle times in whole milliseconds.
extension Duration {
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
