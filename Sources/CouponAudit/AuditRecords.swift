import CouponCore

/// The JSON shapes of audit answers, the same from `coupon audit … --format json` and over HTTP,
/// and the columns the table and CSV formats show. Times are ISO 8601.
public protocol AuditRecord: Encodable, Sendable {
    static var columns: [String] { get }
    var values: [String] { get }
}

/// `{eventId, partition, type, couponId, userId?, seq?, at}`
public struct EventRecord: AuditRecord, Equatable {
    public let eventId: String
    public let partition: Int
    public let type: String
    public let couponId: Int64
    public let userId: String?
    public let seq: Int64?
    public let at: String

    public init(_ event: AuditEvent) {
        eventId = event.id.description
        partition = event.partition
        type = event.type
        couponId = event.coupon.value
        userId = event.user
        seq = event.seq
        at = EpochMillis.format(event.at)
    }

    public static let columns = ["eventId", "partition", "type", "couponId", "userId", "seq", "at"]
    public var values: [String] {
        [eventId, String(partition), type, String(couponId), userId ?? "", seq.map(String.init) ?? "", at]
    }
}

/// `{seq, userId, eventId, issuedAt}`
public struct WinnerRecord: AuditRecord, Equatable {
    public let seq: Int64
    public let userId: String
    public let eventId: String
    public let issuedAt: String

    public init(_ issuance: Issuance) {
        seq = issuance.seq
        userId = issuance.userId.value
        eventId = issuance.eventId
        issuedAt = EpochMillis.format(issuance.issuedAt)
    }

    public static let columns = ["seq", "userId", "eventId", "issuedAt"]
    public var values: [String] { [String(seq), userId, eventId, issuedAt] }
}

/// `{couponId, seq, eventId, issuedAt}`
public struct HoldingRecord: AuditRecord, Equatable {
    public let couponId: Int64
    public let seq: Int64
    public let eventId: String
    public let issuedAt: String

    public init(_ issuance: Issuance) {
        couponId = issuance.couponId.value
        seq = issuance.seq
        eventId = issuance.eventId
        issuedAt = EpochMillis.format(issuance.issuedAt)
    }

    public static let columns = ["couponId", "seq", "eventId", "issuedAt"]
    public var values: [String] { [String(couponId), String(seq), eventId, issuedAt] }
}

/// One bucket of a rate report: `{start, count}`.
public struct BucketRecord: AuditRecord, Equatable {
    public let start: String
    public let count: Int

    public static let columns = ["start", "count"]
    public var values: [String] { [start, String(count)] }
}

/// `{"buckets": [{start, count}], "soldOutAt", "secondsToSellOut"}`, the last two null when the
/// coupon did not sell out.
public struct RateRecord: Encodable, Sendable, Equatable {
    public let buckets: [BucketRecord]
    public let soldOutAt: String?
    public let secondsToSellOut: Double?

    public init(_ report: RateReport) {
        buckets = report.buckets.map { BucketRecord(start: EpochMillis.format($0.start), count: $0.count) }
        soldOutAt = report.soldOutAt.map(EpochMillis.format)
        secondsToSellOut = report.secondsToSellOut
    }

    enum CodingKeys: String, CodingKey { case buckets, soldOutAt, secondsToSellOut }

    /// Explicit nulls: a missing key and a null mean different things to some clients.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(buckets, forKey: .buckets)
        try container.encode(soldOutAt, forKey: .soldOutAt)
        try container.encode(secondsToSellOut, forKey: .secondsToSellOut)
    }
}

/// A page of a timeline over HTTP: `{"events": [...], "next": "<cursor>" | null}`.
public struct TimelinePage: Encodable, Sendable {
    public let events: [EventRecord]
    public let next: String?

    public init(events: [EventRecord], next: String?) {
        self.events = events
        self.next = next
    }

    enum CodingKeys: String, CodingKey { case events, next }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(events, forKey: .events)
        try container.encode(next, forKey: .next)
    }
}
