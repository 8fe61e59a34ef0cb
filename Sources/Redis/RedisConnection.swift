import Foundation
import Glibc
import Logging
import Synchronization

/// One Redis connection with automatic pipelining.
///
/// hiredis blocks, so the context is owned by a dedicated thread outside the Swift concurrency
/// pool. Callers enqueue a command and suspend; the owner takes everything queued since its
/// last round trip, appends it all, then reads the replies in order and resumes each caller.
/// Under load the batches grow by themselves; when idle each command goes out at once.
/// Script calls of one group queued together go out as one command (see `RedisScriptCall`).
///
/// `@unchecked Sendable`: the queue and the closed flag are only touched under `condition`;
/// the hiredis context is only touched by the owner thread.
public final class RedisConnection: @unchecked Sendable {
    private enum Request {
        case command(RedisCommand)
        case call(RedisScriptCall)
        /// `ASKING`, then the command, back to back.
        case asking(RedisCommand)
    }

    private struct Pending {
        let request: Request
        let continuation: UnsafeContinuation<RedisReply, any Error>
    }

    /// One command on the wire and the pending requests it answers: one plain command, or
    /// several script calls combined (its reply then holds one element per call).
    private struct Outgoing {
        let command: RedisCommand
        let members: Range<Int>
        let combined: Bool
        /// Sent just before the command, its reply skipped (`ASKING`).
        var preamble: RedisCommand? = nil
        /// A script: with durability `replicated` its answer waits for a replica's `WAIT`.
        var runsScript: Bool { combined || command.isScript }
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
        let thread = Thread { [self] in
            RedisConnection.nameCurrentThread(name)
            ownerLoop()
        }
        thread.name = name
        thread.start()
    }

    /// Foundation's `Thread.name` does not reach the OS on Linux, so without this the owner thread
    /// kept the name of whichever pool thread made it, and `top -H`, `perf` and `/proc/<pid>/task`
    /// counted its time as the Swift pool's. (`pthread_setname_np` is not visible to Swift here;
    /// the kernel takes the same name, at most 15 bytes, from this file.)
    private static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        Glibc.close(fd)
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
        try await send(.command(command))
    }

    /// Sends one script call, possibly combined with others of its group, and waits for its own
    /// element of the reply. An error reply (for the whole combined command) throws `serverError`.
    public func send(_ call: RedisScriptCall) async throws -> RedisReply {
        try await send(.call(call))
    }

    /// `ASKING` and the command in one write (Redis Cluster's `ASK` redirect: the next command
    /// of this connection may touch a slot being imported).
    public func sendAsking(_ command: RedisCommand) async throws -> RedisReply {
        try await send(.asking(command))
    }

    private func send(_ request: Request) async throws -> RedisReply {
        let reply = try await withUnsafeThrowingContinuation { continuation in
            enqueue(Pending(request: request, continuation: continuation))
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
    ///
    /// With durability `replicated` (`replicaAcknowledgements` > 0) a round trip that ran a script
    /// ends with `WAIT n timeout`: it answers once n replicas hold every write this connection made
    /// so far, and only then are the scripts' callers answered — or told `unconfirmed`.
    private func run(_ queued: [Pending]) {
        let context: HiredisContext
        do {
            context = try connected()
        } catch {
            for pending in queued { pending.continuation.resume(throwing: error) }
            return
        }
        let (batch, outgoing) = combine(queued)
        let waitForReplicas = configuration.replicaAcknowledgements > 0 && outgoing.contains { $0.runsScript }
        // Entries whose reply was read but held for the WAIT; `read`: entries whose reply was read.
        var held: [(Outgoing, RedisReply)] = []
        var read = 0
        let started = ContinuousClock.now
        roundTrips.add(1, ordering: .relaxed)
        commandsSent.add(outgoing.count, ordering: .relaxed)
        do {
            for entry in outgoing {
                if let preamble = entry.preamble { try context.append(preamble) }
                try context.append(entry.command)
            }
            if waitForReplicas { try context.append(.wait(configuration)) }
            for entry in outgoing {
                if entry.preamble != nil { _ = try context.readReply() }
                let reply = try context.readReply()
                read += 1
                if waitForReplicas && entry.runsScript {
                    held.append((entry, reply))
                } else {
                    deliver(reply, to: entry, of: batch)
                }
            }
            if waitForReplicas {
                let acknowledged = try context.readReply().int ?? 0
                let confirmed = acknowledged >= Int64(configuration.replicaAcknowledgements)
                for (entry, reply) in held {
                    if confirmed || reply.isErrorReply {
                        deliver(reply, to: entry, of: batch)
                    } else {
                        let error = RedisError(
                            .unconfirmed,
                            "\(acknowledged) of \(configuration.replicaAcknowledgements) replica(s) confirmed the write in time"
                        )
                        for pending in batch[entry.members] { pending.continuation.resume(throwing: error) }
                    }
                }
                held.removeAll()
            }
            metrics?.recordRoundTrip(commands: outgoing.count, duration: ContinuousClock.now - started)
        } catch {
            // The link broke: the unanswered commands may or may not have run. Say so, and
            // reconnect on the next batch.
            logger.warning("Redis connection lost", metadata: ["error": "\(error)"])
            self.context = nil
            for entry in held.map(\.0) + outgoing[read...] {
                for pending in batch[entry.members] { pending.continuation.resume(throwing: error) }
            }
        }
    }

    private func deliver(_ reply: RedisReply, to entry: Outgoing, of batch: [Pending]) {
        if entry.combined {
            resume(batch[entry.members], withElementsOf: reply)
        } else {
            batch[entry.members.lowerBound].continuation.resume(returning: reply)
        }
    }

    /// Orders the queued requests so that script calls of one group sit side by side, at most
    /// `scriptBatchLimit` to a command, and says which command answers which. Calls keep their
    /// arrival order within a group; requests of different callers have no order to keep.
    private func combine(_ queued: [Pending]) -> ([Pending], [Outgoing]) {
        var batch: [Pending] = []
        batch.reserveCapacity(queued.count)
        var outgoing: [Outgoing] = []
        var groups: [String: [Pending]] = [:]
        var groupOrder: [String] = []
        func flush(_ calls: [Pending]) {
            let start = batch.count
            batch.append(contentsOf: calls)
            let command = RedisScriptCall.command(
                combining: calls.lazy.map {
                    guard case .call(let call) = $0.request else { preconditionFailure("grouped a plain command") }
                    return call
                })
            outgoing.append(Outgoing(command: command, members: start..<batch.count, combined: true))
        }
        for pending in queued {
            switch pending.request {
            case .command(let command):
                outgoing.append(Outgoing(command: command, members: batch.count..<batch.count + 1, combined: false))
                batch.append(pending)
            case .asking(let command):
                outgoing.append(
                    Outgoing(
                        command: command, members: batch.count..<batch.count + 1, combined: false,
                        preamble: RedisCommand("ASKING")))
                batch.append(pending)
            case .call(let call):
                if groups[call.group] == nil { groupOrder.append(call.group) }
                groups[call.group, default: []].append(pending)
                if groups[call.group]!.count >= configuration.scriptBatchLimit {
                    flush(groups.removeValue(forKey: call.group)!)
                }
            }
        }
        // A group that filled a command and started again is listed twice: take it once.
        for group in groupOrder {
            if let calls = groups.removeValue(forKey: group) { flush(calls) }
        }
        return (batch, outgoing)
    }

    /// Hands each combined call its own element of the reply; an error for the whole command
    /// (NOSCRIPT, OOM, …) goes to every call.
    private func resume(_ calls: ArraySlice<Pending>, withElementsOf reply: RedisReply) {
        if let elements = reply.array, elements.count == calls.count {
            for (pending, element) in zip(calls, elements) { pending.continuation.resume(returning: element) }
        } else if case .error = reply {
            for pending in calls { pending.continuation.resume(returning: reply) }
        } else {
            let error = RedisError(.unexpectedReply, "a combined script answered \(reply) for \(calls.count) calls")
            for pending in calls { pending.continuation.resume(throwing: error) }
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
