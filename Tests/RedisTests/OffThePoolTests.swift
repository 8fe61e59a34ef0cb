import Foundation
import Synchronization
import TestSupport
import Testing

/// The test servers (`RedisServer`, `RedisCluster`, `MariaDBServer`) wait for their processes
/// through `offThePool`; this pins what that buys: blocked work does not hold the concurrency
/// pool, so the other tests' servers keep answering while one test sets up a cluster.
@Suite struct OffThePoolTests {
    @Test func blockedWorkLeavesThePoolToOtherTasks() async throws {
        // More blocked callers than the pool has threads: on the pool itself, none of them could
        // see the flag before its guard ran out, since the task that sets it would never run.
        let callers = ProcessInfo.processInfo.activeProcessorCount + 2
        let flag = Flag()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    await offThePool {
                        let guardUntil = Date().addingTimeInterval(10)
                        while !flag.raised && Date() < guardUntil { usleep(1000) }
                        return flag.raised
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            let setter = Task { flag.raise() }
            await setter.value
            var seen = 0
            for try await sawTheFlag in group where sawTheFlag { seen += 1 }
            #expect(seen == callers, "each blocked caller saw the flag another task set")
        }
    }

    final class Flag: Sendable {
        private let state = Atomic<Bool>(false)
        var raised: Bool { state.load(ordering: .acquiring) }
        func raise() { state.store(true, ordering: .releasing) }
    }
}
