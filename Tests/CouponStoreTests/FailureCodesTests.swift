import CouponCore
import CouponStore
import Fixtures
import Foundation
import Testing

/// Database failures carry their result codes and statement, and say whether they are transient;
/// an event seen again under an archived id must be the same event.
@Suite struct FailureCodesTests {
    @Test func aLockHeldByAnotherConnectionIsATransientBusyWithItsStatement() throws {
        let path = Fixture.temporaryDatabase()
        let holder = try SQLiteConnection(path: path)
        try holder.execute("CREATE TABLE t (x INTEGER)")
        try holder.execute("BEGIN IMMEDIATE")
        let waiter = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 50)
        let error = try #require(throws: SQLiteError.self) {
            try waiter.transaction { try waiter.run("INSERT INTO t VALUES (1)") }
        }
        #expect(error.primaryCode == 5)  // SQLITE_BUSY
        #expect(error.isTransient)
        #expect(error.sql == "BEGIN IMMEDIATE")
        #expect(error.description.contains("SQLITE_BUSY"))
        try holder.execute("ROLLBACK")
        // With the lock gone the same connection writes again.
        _ = try waiter.transaction { try waiter.run("INSERT INTO t VALUES (1)") }
    }

    @Test func extendedCodesKeepTheirPrimaryCode() {
        let ioWrite = SQLiteError(code: 3338, message: "disk I/O error", sql: "COMMIT")  // SQLITE_IOERR_WRITE
        #expect(ioWrite.primaryCode == 10)
        #expect(ioWrite.isTransient)
        #expect(ioWrite.description.contains("SQLITE_IOERR, extended 3338"))
        for transient: Int32 in [5, 6, 7, 8, 10, 13, 14, 15, 261, 517, 1032] {
            #expect(SQLiteError(code: transient, message: "", sql: nil).isTransient, "\(transient)")
        }
        for lasting: Int32 in [1, 11, 18, 19, 20, 21, 26, 2067] {
            #expect(!SQLiteError(code: lasting, message: "", sql: nil).isTransient, "\(lasting)")
        }
    }

    @Test(arguments: TestEngine.allCases)
    func aDifferentEventUnderAnArchivedIdIsAConflictNotSkipped(engine: TestEngine) async throws {
        let store = try await engine.freshStore().store
        let original = try Events.issued(7, "alice", seq: 1, at: "5-0")
        #expect(try await store.apply([original], partition: 0).applied == 1)
        // The same event again: skipped whole, nothing written.
        #expect(try await store.apply([original], partition: 0).applied == 0)
        // Another event under the same id (a wrongly rebuilt log): refused, nothing written.
        let impostor = try Events.issued(7, "mallory", seq: 2, at: "5-0")
        let conflict = try await #require(throws: ProjectionConflict.self) {
            try await store.apply([impostor], partition: 0)
        }
        #expect(conflict.detail.contains("different event"))
        #expect(try await store.issuance(coupon: CouponID(7), user: UserID("mallory")) == nil)
        #expect(try await store.issuance(coupon: CouponID(7), user: UserID("alice"))?.seq == 1)
    }
}
