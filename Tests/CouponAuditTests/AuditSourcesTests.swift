import CouponAudit
import CouponCore
import CouponLedger
import CouponStore
import CouponWorker
import Fixtures
import Foundation
import Logging
import Redis
import TestSupport
import Testing

/// The archive and the log answer every audit question identically once the projection has
/// caught up; the archive's order is the log's order; values are bound, never spliced into SQL.
@Suite struct AuditSourcesTests {
    /// The shared fixture's deployment, with its archive open for audit reads.
    struct Deployment {
        let fixture: Fixture
        let store: SQLiteProjectionStore
        var client: RedisClient { fixture.client }
        var ledger: RedisCouponLedger { fixture.ledger }
        var partitioning: Partitioning { fixture.partitioning }

        init() async throws {
            fixture = try await Fixture()
            store = try await SQLiteProjectionStore(path: fixture.databasePath)
            _ = try await store.migrate()
        }

        func define(quantity: Int64) async throws -> CouponID {
            try await ledger.define(try CouponDraft(name: "audit", quantity: quantity, startsAt: nil, endsAt: nil)).id
        }

        func race(_ coupon: CouponID, users: [String]) async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for user in users {
                    group.addTask { _ = try await ledger.admit(coupon: coupon, user: UserID(user), requestId: nil) }
                }
                try await group.waitForAll()
            }
        }

        /// Projects the whole log into the archive with the workers' own code (replay).
        func project() async throws {
            var logger = Logger(label: "audit-test")
            logger.logLevel = .error
            _ = try await Replayer(client: client, store: store, partitioning: partitioning, logger: logger).run()
        }

        var archive: AuditQueries { AuditQueries(source: store) }
        var log: AuditQueries {
            AuditQueries(source: LogAuditSource(client: client, partitioning: partitioning, chunk: 7))
        }
    }

    /// Every page of a timeline, following `next`.
    func allPages(_ queries: AuditQueries, _ coupon: CouponID, limit: Int) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        var cursor: StreamID?
        repeat {
            let page = try await queries.timeline(coupon: coupon, after: cursor, limit: limit)
            #expect(page.events.count <= limit)
            events += page.events
            cursor = page.next
        } while cursor != nil
        return events
    }

    @Test func archiveAndLogGiveTheSameAnswers() async throws {
        let deployment = try await Deployment()
        let soldOut = try await deployment.define(quantity: 50)
        let open = try await deployment.define(quantity: 100)
        try await deployment.race(soldOut, users: (0..<80).map { "u-\($0)" })
        try await deployment.race(open, users: (0..<30).map { "u-\($0 * 3)" })
        try await deployment.project()

        for coupon in [soldOut, open] {
            let fromArchive = try await allPages(deployment.archive, coupon, limit: 7)
            let fromLog = try await allPages(deployment.log, coupon, limit: 7)
            #expect(fromArchive == fromLog)
            #expect(fromArchive.first?.type == CouponEvent.typeDefined)
            #expect(zip(fromArchive, fromArchive.dropFirst()).allSatisfy { $0.id < $1.id }, "log order")

            let winners = try await deployment.archive.winners(coupon: coupon, fromSeq: 1, toSeq: nil, limit: nil)
            #expect(try await deployment.log.winners(coupon: coupon, fromSeq: 1, toSeq: nil, limit: nil) == winners)
            #expect(winners.map(\.seq) == Array(1...Int64(winners.count)))
            let slice = try await deployment.archive.winners(coupon: coupon, fromSeq: 5, toSeq: 9, limit: nil)
            #expect(slice == Array(winners[4...8]))
            #expect(try await deployment.log.winners(coupon: coupon, fromSeq: 5, toSeq: 9, limit: nil) == slice)

            for bucket in RateReport.Bucket.allCases {
                let rate = try await deployment.archive.rate(coupon: coupon, bucket: bucket)
                #expect(try await deployment.log.rate(coupon: coupon, bucket: bucket) == rate)
                #expect(rate.buckets.reduce(0) { $0 + $1.count } == winners.count)
            }
        }
        #expect(try await deployment.archive.rate(coupon: soldOut, bucket: .second).soldOutAt != nil)
        #expect(try await deployment.archive.rate(coupon: open, bucket: .second).soldOutAt == nil)
        for user in ["u-0", "u-3", "u-4", "u-79", "nobody"] {
            let held = try await deployment.archive.holdings(user: UserID(user))
            #expect(try await deployment.log.holdings(user: UserID(user)) == held, "\(user)")
        }
        // u-0 holds the open coupon for sure, the sold-out one if it came among the first 50.
        let wonSoldOut = try await deployment.archive.winners(coupon: soldOut, fromSeq: 1, toSeq: nil, limit: nil)
            .contains { $0.userId.value == "u-0" }
        #expect(try await deployment.archive.holdings(user: UserID("u-0")).count == (wonSoldOut ? 2 : 1))

        let unknown = try CouponID(987_654_321)
        await #expect(throws: AuditError.self) {
            try await deployment.archive.timeline(coupon: unknown, after: nil, limit: 5)
        }
        await #expect(throws: AuditError.self) { try await deployment.log.rate(coupon: unknown, bucket: .second) }
    }
}
