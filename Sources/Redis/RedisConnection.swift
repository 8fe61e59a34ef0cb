import Foundation
import Logging
import Synchronization

/// One Redis connection with automatic pipelining.
///
/// hiredis blocks, so the context is owned by a dedicated thread outside the Swift concurrency
/// pool. Callers enqueue a command and suspend; the owner takes everything queued since its
/// last round trip, appends it all, then reads the replies in order and resumes each caller.
/// Under load the batches grow by themselves; when idle each command goes out at once.
///
/// `@unchecked Sendable`: the queue and the closed flag are only touched under `condition`;
/// the hiredis context is only touched by the owner thread.
public final class RedisConnection: @unchecked Sendable {
    private struct Pending {
        let command: RedisCommand
        let continuation: UnsafeContinuation<RedisReply, any Error>
    }

    private let configuration: RedisConfiguration
    private let logger: Logger
    private let metrics: (any RedisMetricsRecorder)?
    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var closed = false
    /// Commands enqueued and not yet answered; read without the lock by the pool.
    private let inFlight = Atomic<Int>(0)
    private let roundTrips = Atomic<Int>(0)
    private let commandsSent = Atomic<Int>(0)
    private let connects = Atomic<Int>(0)

    // Owner-thread state.
    private var context: HiredisContext?
    private var retryConnectAt: ContinuousClock.Instant?
    private var lastConnectError: RedisError?

    public init(
        configuration: RedisConfiguration, name: String, logger: Logger, metrics: (any RedisMetricsRecorder)? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        let thread = Thread { [self] in ownerLoop() }
        thread.name = name
        thread.start()
    }

    /// Commands enqueued and not yet answered; the pool uses it to pick a connection.
    public var depth: Int { inFlight.load(ordering: .relaxed) }

    /// Successful connects so far: it changes whenever the connection was re-established, so a
    /// caller can re-check what it verified about the server on the old link.
    public var connectCount: Int { connects.load(ordering: .acquiring) }

    /// Round trips made and commands carried: their ratio is the mean pipeline depth.
    public var statistics: (roundTrips: Int, commands: Int) {
        (roundTrips.load(ordering: .relaxed), commandsSent.load(ordering: .relaxed))
    }

    /// Sends one command and waits for its reply. An error reply throws `serverError`.
    public func send(_ command: RedisCommand) async throws -> RedisReply {
        let reply = try await withUnsafeThrowingContinuation { continuation in
            enqueue(Pending(command: command, continuation: continuation))
        }
        if case .error(let message) = reply { throw RedisError(.serverError, message) }
        return reply
    }

    /// Fails whatever is queued, stops the owner thread and closes the socket.
    public func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }

    private func enqueue(_ pending: Pending) {
        condition.lock()
        if closed {
            condition.unlock()
            pending.continuation.resume(throwing: RedisError(.closed, "the Redis client is closed"))
            return
        }
        queue.append(pending)
        inFlight.add(1, ordering: .relaxed)
        if queue.count == 1 { condition.signal() }
        condition.unlock()
    }

    private func ownerLoop() {
        var batch: [Pending] = []
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if closed {
                let abandoned = queue
                queue.removeAll()
                inFlight.subtract(abandoned.count, ordering: .relaxed)
                condition.unlock()
                for pending in abandoned {
                    pending.continuation.resume(throwing: RedisError(.closed, "the Redis client is closed"))
                }
                context = nil
                return
            }
            swap(&batch, &queue)
            condition.unlock()

            run(batch)
            inFlight.subtract(batch.count, ordering: .relaxed)
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// One round trip: append every command, then read every reply in order.
    private func run(_ batch: [Pending]) {
        let context: HiredisContext
        do {
            context = try connected()
        } catch {
            for pending in batch { pending.continuation.resume(throwing: error) }
            return
        }
        var answered = 0
        let started = ContinuousClock.now
        roundTrips.add(1, ordering: .relaxed)
        commandsSent.add(batch.count, ordering: .relaxed)
        do {
            for pending in batch { try context.append(pending.command) }
            while answered < batch.count {
                let reply = try context.readReply()
                batch[answered].continuation.resume(returning: reply)
                answered += 1
            }
            metrics?.recordRoundTrip(commands: batch.count, duration: ContinuousClock.now - started)
        } catch {
            // The link broke: the unanswered commands may or may not have run. Say so, and
            // reconnect on the next batch.
            logger.warning("Redis connection lost", metadata: ["error": "\(error)"])
            self.context = nil
            for pending in batch[answered...] { pending.continuation.resume(throwing: error) }
        }
    }

    private func connected() throws(RedisError) -> HiredisContext {
        if let context { return context }
        let now = ContinuousClock.now
        if let retryConnectAt, now < retryConnectAt, let lastConnectError { throw lastConnectError }
        do {
            let context = try HiredisContext(configuration)
            if lastConnectError != nil {
                logger.info("Redis connection re-established", metadata: ["redis": "\(configuration.url)"])
            }
            self.context = context
            connects.add(1, ordering: .releasing)
            lastConnectError = nil
            retryConnectAt = nil
            return context
        } catch {
            if lastConnectError == nil {
                logger.error("Redis unreachable", metadata: ["error": "\(error)"])
            }
            lastConnectError = error
            retryConnectAt = now + configuration.reconnectBackoff
            throw error
        }
    }
}
