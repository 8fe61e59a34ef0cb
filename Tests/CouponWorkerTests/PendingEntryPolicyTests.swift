import CouponCore
import CouponStore
import CouponWorker
import Fixtures
import Redis
import Testing

/// The worker's retry / acknowledge / dead-letter decision and its failure classification,
/// without Redis or a database.
@Suite struct PendingEntryPolicyTests {
    let policy = PendingEntryPolicy(maxDeliveries: 3)

    @Test func withinTheLimitEverythingIsRetried() {
        for deliveries: Int64 in 1...3 {
            #expect(!policy.needsArchiveCheck(deliveries: deliveries))
            #expect(policy.decide(deliveries: deliveries, archived: false, lastFailure: .poison("bad")) == .retry)
        }
    }

    @Test func pastTheLimitOnlyPoisonIsDeadLettered() {
        #expect(policy.needsArchiveCheck(deliveries: 4))
        #expect(
            policy.decide(deliveries: 4, archived: false, lastFailure: .poison("bad")) == .deadLetter(reason: "bad"))
        // A database that could not write, or an unexpected error: the event is not known to be
        // at fault, so it is projected again, however often.
        #expect(policy.decide(deliveries: 400, archived: false, lastFailure: .transient("disk full")) == .retry)
        #expect(policy.decide(deliveries: 400, archived: false, lastFailure: .unexpected("no such table")) == .retry)
    }

    @Test func withNoFailureKnownOnlyAWorkerCrasherIsDeadLettered() {
        // Taken over or pending at start: projected again, up to three times the limit…
        #expect(policy.decide(deliveries: 4, archived: false, lastFailure: nil) == .retry)
        #expect(policy.decide(deliveries: 9, archived: false, lastFailure: nil) == .retry)
        // …past that it is taken for an entry that crashes every worker that projects it.
        guard case .deadLetter(let reason) = policy.decide(deliveries: 10, archived: false, lastFailure: nil) else {
            Issue.record("a suspected worker crasher must end in the dead stream")
            return
        }
        #expect(reason.contains("suspected of crashing"))
    }

    @Test func pastTheLimitAnArchivedEntryIsAcknowledged() {
        #expect(policy.decide(deliveries: 4, archived: true, lastFailure: .poison("bad")) == .acknowledge)
        #expect(policy.decide(deliveries: 9, archived: true, lastFailure: nil) == .acknowledge)
    }

    @Test func failuresAreClassifiedByWhatTheyMean() throws {
        let full = SQLiteError(code: 13, message: "database or disk is full", sql: "COMMIT")
        #expect(ProjectionFailure.classify(full).isTransient)
        #expect(ProjectionFailure.classify(SQLiteError(code: 5, message: "database is locked", sql: nil)).isTransient)
        #expect(ProjectionFailure.classify(RedisError(.connectionLost, "gone")).isTransient)
        let undecodable = ProjectionFailure.classify(EventDecodingError("field 'seq' is not a number"))
        #expect(undecodable == .poison("cannot decode: field 'seq' is not a number"))
        let conflict = ProjectionConflict(partition: 0, eventId: StreamID(millis: 1, sequence: 0), detail: "taken")
        guard case .poison = ProjectionFailure.classify(conflict) else {
            Issue.record("a conflict is poison")
            return
        }
        guard case .unexpected = ProjectionFailure.classify(SQLiteError(code: 1, message: "no such table", sql: nil))
        else {
            Issue.record("a missing table is neither transient nor the event's fault")
            return
        }
    }
}
