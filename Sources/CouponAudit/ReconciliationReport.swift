/// What `coupon audit verify` found: counts per coupon and partition, and one sentence per
/// mismatch. Encodes as the `--format json` answer.
public struct ReconciliationReport: Encodable, Sendable {
    public struct CouponCounts: Encodable, Sendable, Equatable {
        public let couponId: Int64
        /// Issuances in each place, up to the snapshot boundary.
        public let log: Int
        public let redis: Int
        public let archive: Int
        public let issues: Int
        /// Events in the log that the projection has not reached yet (pending or not delivered).
        public internal(set) var lagging: Int
    }

    public struct PartitionState: Encodable, Sendable, Equatable {
        public let partition: Int
        /// The snapshot boundary: the stream's last id when the check began.
        public let boundary: String
        public let pending: Int
        public let deadLetters: Int
    }

    public internal(set) var coupons: [CouponCounts] = []
    public internal(set) var partitions: [PartitionState] = []
    public internal(set) var mismatches: [String] = []
    /// Events the projection is behind by, over all coupons checked.
    public internal(set) var lagging = 0

    public var clean: Bool { mismatches.isEmpty }

    enum CodingKeys: String, CodingKey { case clean, coupons, partitions, mismatches, lagging }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clean, forKey: .clean)
        try container.encode(coupons, forKey: .coupons)
        try container.encode(partitions, forKey: .partitions)
        try container.encode(mismatches, forKey: .mismatches)
        try container.encode(lagging, forKey: .lagging)
    }

    /// The report for a person: a line per coupon and partition, then the verdict.
    public var text: String {
        var lines = coupons.map { c in
            "coupon \(c.couponId): log \(c.log), Redis \(c.redis), archive \(c.archive), coupon_issues \(c.issues)"
                + (c.lagging > 0 ? " (projection behind by \(c.lagging) events)" : "")
        }
        lines += partitions.map { p in
            "partition \(p.partition): checked up to \(p.boundary), pending \(p.pending), dead letters \(p.deadLetters)"
        }
        if lagging > 0 { lines.append("projection behind by \(lagging) events (not a mismatch: still in flight)") }
        if clean {
            lines.append("clean: Redis, the log, the archive and coupon_issues agree")
        } else {
            lines.append("\(mismatches.count) mismatch(es):")
            lines += mismatches
        }
        return lines.joined(separator: "\n")
    }
}
