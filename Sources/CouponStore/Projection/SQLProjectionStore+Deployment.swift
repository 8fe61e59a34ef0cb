import CouponCore
import Foundation

/// The deployment record and the archive as `coupon recover` reads it back.
extension SQLProjectionStore {
    public func recordDeployment(_ identity: DeploymentIdentity) async throws -> DeploymentIdentity {
        try await database.perform { connection in
            try connection.transaction {
                _ = try connection.insert(
                    ProjectionInserts.deployment,
                    [
                        [
                            .integer(1), .text(identity.generation), .integer(Int64(identity.partitions)),
                            .integer(Int64(Date().timeIntervalSince1970 * 1000)),
                        ]
                    ])
                return try Self.deployment(on: connection) ?? identity
            }
        }
    }

    public func recordedDeployment() async throws -> DeploymentIdentity? {
        try await reads.perform { try Self.deployment(on: $0) }
    }

    static func deployment(on connection: Connection) throws -> DeploymentIdentity? {
        var found: DeploymentIdentity?
        try connection.query("SELECT generation, partition_count FROM deployment WHERE id = 1") { row in
            found = DeploymentIdentity(partitions: Int(row.int64(1)), generation: row.text(0) ?? "")
        }
        return found
    }

    public func archivedEventCount() async throws -> Int {
        try await reads.perform { connection in
            var count = 0
            try connection.query("SELECT count(*) FROM coupon_events") { count = Int($0.int64(0)) }
            return count
        }
    }

    public func recoverySnapshot(partition p: Int, of partitioning: Partitioning) async throws -> RecoverySnapshot {
        try await reads.perform { connection in
            var snapshot = RecoverySnapshot()
            let ofPartition: [SQLValue] = [.integer(Int64(partitioning.count)), .integer(Int64(p))]
            try connection.query(
                """
                SELECT id, name, total_quantity, issue_starts_at, issue_ends_at, defined_event_id, defined_at
                FROM coupons WHERE id % ? = ? ORDER BY id
                """, ofPartition
            ) { row in
                snapshot.coupons.append(
                    Coupon(
                        id: try CouponID(row.int64(0)), name: row.text(1) ?? "", quantity: row.int64(2),
                        startsAt: row.int64(3), endsAt: row.int64(4), definedEventId: row.text(5) ?? "",
                        definedAt: row.int64(6), issued: 0))
            }
            try connection.query(
                "SELECT coupon_id, user_id, seq, event_id, issued_at FROM coupon_issues WHERE coupon_id % ? = ?",
                ofPartition
            ) { row in
                snapshot.issuances.append(
                    Issuance(
                        couponId: try CouponID(row.int64(0)), userId: try UserID(row.text(1) ?? ""), seq: row.int64(2),
                        eventId: row.text(3) ?? "", issuedAt: row.int64(4)))
            }
            try connection.query(
                "SELECT event_id, payload FROM coupon_events WHERE partition_no = ? ORDER BY event_ms, event_seq",
                [.integer(Int64(p))]
            ) { row in
                guard let id = row.text(0).flatMap({ StreamID($0) }), let payload = row.text(1),
                    let members = FlatJSON.members(payload)
                else {
                    throw StoreError.corrupt(
                        "coupon_events row \(p)/\(row.text(0) ?? "NULL") has no readable event id or payload")
                }
                snapshot.events.append((id, members.map { LoggedEvent.Field($0.name, $0.value) }))
            }
            return snapshot
        }
    }
}
