import CouponCore
import Redis

extension RedisStreamEntry {
    /// The entry as an event of partition `p`'s log: the one decoding the workers, replay and the
    /// log's audit source share. Throws for an id that is not `<ms>-<n>` or fields that do not decode.
    public func loggedEvent(partition p: Int) throws(EventDecodingError) -> LoggedEvent {
        guard let id = StreamID(id) else { throw EventDecodingError("bad entry id '\(self.id)'") }
        return try LoggedEvent(partition: p, id: id, fields: fields.map { LoggedEvent.Field($0.0, $0.1) })
    }
}
