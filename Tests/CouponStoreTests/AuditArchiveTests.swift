import CouponCore
import CouponStore
import Fixtures
import Foundation
import Synchronization
import Testing

/// The archive's audit reads: exact log order, bound parameters, a read connection of its own.
@Suite struct AuditArchiveTests {
    @Test(arguments: TestEngine.allCases)
    func eventIdsCompareAsTwoNumbersNotAsText(engine: TestEngine) async throws {
        let store = try await engine.freshStore().store
        // As text, 5-10 and 5-11 sort before 5-9; in the log they come after it.
        let events = try [
            Events.defined(7, at: "5-1"), Events.issued(7, "a", seq: 1, at: "5-9"),
            Events.issued(7, "b", seq: 2, at: "5-10"), Events.issued(7, "c", seq: 3, at: "5-11"),
            Events.issued(7, "d", seq: 4, at: "40-0"),
        ]
        _ = try await store.apply(events.shuffled(), partition: 0)
        let all = try await store.timeline(coupon: CouponID(7), after: nil, limit: 100)
        #expect(all.map(\.id.description) == ["5-1", "5-9", "5-10", "5-11", "40-0"])
        let after = try await store.timeline(coupon: CouponID(7), after: StreamID("5-9"), limit: 2)
        #expect(after.map(\.id.description) == ["5-10", "5-11"])
        #expect(all[1].user == "a" && all[1].seq == 1 && all[0].user == nil && all[0].seq == nil)
    }

    @Test(arguments: TestEngine.allCases)
    func userIdsAreBoundNeverSplicedIntoSQL(engine: TestEngine) async throws {
        let store = try await engine.freshStore().store
        let users = ["alice", "' OR 1=1 --", "%", "_", "a%", "\"; DROP TABLE coupon_issues; --"]
        _ = try await store.apply(
            try [Events.defined(7, at: "1-0")]
                + users.enumerated().map { try Events.issued(7, $1, seq: Int($0) + 1, at: "2-\($0)") },
            partition: 0)
        for user in users {
            let held = try await store.issuances(user: UserID(user))
            #expect(held.map(\.userId.value) == [user], "\(user)")
        }
        #expect(try await store.issuances(user: UserID("nobody")).isEmpty)
        #expect(try await store.winners(coupon: CouponID(7), fromSeq: 1, toSeq: nil, limit: nil).count == users.count)
    }

    /// A lookup is answered while the writer's queue is busy: it does not wait behind the batch.
    @Test(arguments: TestEngine.servers)
    func readsDoNotQueueBehindTheWriter(engine: TestEngine) async throws {
        let opened = try await engine.freshStore().store
        if let store = opened as? SQLiteProjectionStore { try await readsDoNotQueueBehindTheWriter(store) }
        if let store = opened as? MariaDBProjectionStore { try await readsDoNotQueueBehindTheWriter(store) }
    }

    func readsDoNotQueueBehindTheWriter<C: SQLConnection>(_ store: SQLProjectionStore<C>) async throws {
        _ = try await store.apply(
            try [Events.defined(7, at: "1-0"), Events.issued(7, "a", seq: 1, at: "2-0")], partition: 0)
        let readDone = Atomic<Bool>(false)
        let writer = Task {
            try await store.database.perform { _ in
                // Holds the writer's queue until the read has been answered (or 10 s: then it failed).
                let deadline = Date().addingTimeInterval(10)
                while !readDone.load(ordering: .acquiring) && Date() < deadline { usleep(1000) }
                return readDone.load(ordering: .acquiring)
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await store.issuance(coupon: CouponID(7), user: UserID("a"))?.seq == 1)
        #expect(try await store.timeline(coupon: CouponID(7), after: nil, limit: 5).count == 2)
        readDone.store(true, ordering: .releasing)
        #expect(try await writer.value, "the read waited behind the writer")
    }
}
