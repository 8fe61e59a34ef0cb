import Foundation
import TestSupport
import Testing

/// The event loop's answers to a sold-out flood, against the real `coupon serve` over real
/// sockets: the same answers as the router's, in the order asked, and the connection's life
/// (idle timeout, graceful shutdown) unchanged.
@Suite struct FastPathLiveTests {
    /// A sold-out coupon with holders u-1 and u-2, known final to the server (its holders loaded,
    /// so a request for it is answered on the event loop), and a large coupon.
    static func soldOutSale(_ serve: ServeProcess) async throws -> (sold: Int, large: Int) {
        let sold = try #require(
            try serve.post("/v1/coupons", #"{"name": "s", "quantity": 2}"#, token: "t").json?["id"] as? Int)
        let large = try #require(
            try serve.post("/v1/coupons", #"{"name": "l", "quantity": 1000}"#, token: "t").json?["id"] as? Int)
        for user in ["u-1", "u-2"] {
            #expect(try serve.post("/v1/coupons/\(sold)/issues", #"{"userId": "\#(user)"}"#).status == 201)
        }
        let fd = try RawHTTP.connect(port: serve.port)
        defer { close(fd) }
        let final = try await eventually {
            let answer = try await RawHTTP.exchange(fd, RawHTTP.issue(sold, "warm-up"), answers: 1)[0]
            #expect(answer.status == 410)
            return try await eventLoopAnswers(serve) > 0
        }
        #expect(final, "the coupon never became final on the event loop")
        return (sold, large)
    }

    /// `coupon_issue_event_loop_answers_total`, read from /metrics.
    static func eventLoopAnswers(_ serve: ServeProcess) async throws -> Int {
        let fd = try RawHTTP.connect(port: serve.port)
        defer { close(fd) }
        let metrics = try await RawHTTP.exchange(fd, RawHTTP.get("/metrics"), answers: 1)[0]
        let samples = PrometheusText(String(decoding: metrics.body, as: UTF8.self))
        return try #require(samples["coupon_issue_event_loop_answers_total"].map { Int($0) })
    }

    /// Pipelined requests get their answers in the order asked, though the event loop could
    /// answer the later ones at once: a 201 (Redis), a 410 and a 409 (final), /healthz. And an
    /// answer from the event loop is the router's to the byte, but for the Date's value.
    @Test func pipelinedRequestsAreAnsweredInOrderAndAlike() async throws {
        let serve = try await ServeProcess(["--admin-token", "t"])
        let (sold, large) = try await Self.soldOutSale(serve)
        let fd = try RawHTTP.connect(port: serve.port)
        defer { close(fd) }
        let requests = [
            RawHTTP.issue(large, "p-1"), RawHTTP.issue(sold, "late"), RawHTTP.issue(sold, "u-1"),
            RawHTTP.get("/healthz"),
        ]
        let answers = try await RawHTTP.exchange(fd, requests.joined(), answers: 4)
        #expect(answers.map(\.status) == [201, 410, 409, 200])
        #expect(answers[0].json?["userId"] as? String == "p-1")
        #expect(answers[1].errorCode == "SOLD_OUT")
        #expect((answers[2].json?["issuance"] as? [String: Any])?["userId"] as? String == "u-1")
        #expect(answers[3].json?["status"] as? String == "ok")

        // The same two questions alone on the connection, answered on the event loop. (Once a
        // second one request goes to the router instead, to have Redis confirm the coupon: asked
        // again until both were the event loop's.)
        var fastAnswers: [RawHTTP.Answer] = []
        let bothFast = try await eventually {
            let before = try await Self.eventLoopAnswers(serve)
            fastAnswers = [
                try await RawHTTP.exchange(fd, RawHTTP.issue(sold, "late"), answers: 1)[0],
                try await RawHTTP.exchange(fd, RawHTTP.issue(sold, "u-1"), answers: 1)[0],
            ]
            return try await Self.eventLoopAnswers(serve) == before + 2
        }
        #expect(bothFast)
        for (fast, routed) in zip(fastAnswers, answers[1...2]) {
            #expect(fast.status == routed.status)
            #expect(fast.fields.map(\.name) == routed.fields.map(\.name))
            #expect(fast.fields.filter { $0.name != "Date" } == routed.fields.filter { $0.name != "Date" })
            #expect(fast.field("Date")?.hasSuffix(" GMT") == true)
            #expect(fast.body == routed.body)
        }
        // Graceful shutdown closes a connection that the event loop's answers kept busy.
        #expect(try await serve.stop() == 0, "\(serve.process.log)")
        #expect(await RawHTTP.closedByServer(fd))
    }

    /// The idle timeout counts the answers given on the event loop: eight connections asking every
    /// 200 ms for longer than the timeout are not closed while they ask, and are closed once they
    /// fall silent. (Eight, because the one request a second that goes to the router to have Redis
    /// confirm the coupon keeps the connection it happens to travel on fresh anyway: with the
    /// handler where the idle timeout cannot see it, most of the eight are closed early.)
    ///
    /// What is checked is the rule itself, not a schedule: a connection may be closed only when at
    /// least the timeout has passed since the last request the server answered on it was sent. A
    /// test process that the rest of the suite stalls for longer than that makes a close right,
    /// and is not counted against the server.
    @Test func theIdleTimeoutSeesTheEventLoopsAnswers() async throws {
        let timeout = Duration.seconds(2)
        let serve = try await ServeProcess(["--admin-token", "t", "--idle-timeout", "2"])
        let (sold, _) = try await Self.soldOutSale(serve)
        let before = try await Self.eventLoopAnswers(serve)
        var lastSent: [Int32: ContinuousClock.Instant] = [:]
        var connections: [Int32] = []
        for _ in 0..<8 {
            let connecting = ContinuousClock.now
            let fd = try RawHTTP.connect(port: serve.port)
            connections.append(fd)
            lastSent[fd] = connecting
        }
        defer { for fd in connections { close(fd) } }
        var open = connections
        var answered = 0
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .milliseconds(3500) {
            for fd in open {
                let sending = ContinuousClock.now
                do {
                    let answer = try await RawHTTP.exchange(fd, RawHTTP.issue(sold, "late"), answers: 1)[0]
                    #expect(answer.status == 410)
                    answered += 1
                    lastSent[fd] = sending
                } catch {
                    let silence = ContinuousClock.now - lastSent[fd]!
                    #expect(silence >= timeout, "closed \(silence) after the last request it answered: \(error)")
                    open.removeAll { $0 == fd }
                }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(answered > 0)
        // All but the confirmations by Redis (one a second, one request each here) were the event loop's.
        let seconds = Int((ContinuousClock.now - started) / .seconds(1)) + 2
        #expect(try await Self.eventLoopAnswers(serve) >= before + answered - seconds)
        try await Task.sleep(for: .seconds(4))
        for fd in connections { #expect(await RawHTTP.closedByServer(fd)) }
        #expect(try await serve.stop() == 0, "\(serve.process.log)")
    }
}
