import CouponCore
import CouponLedger
import CouponMetrics
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Prometheus
import TestSupport
import Testing

@testable import CouponServer

/// The event loop's fast path on its own, on an `EmbeddedChannel`: what it answers, what it hands
/// to the router (unchanged, part by part) and in which order, with real `FinalAnswers`.
@Suite struct FastIssueAnswerHandlerTests {
    static let sold = try! CouponID(5)
    static let open = try! CouponID(9)
    static let holder = Issuance(
        couponId: sold, userId: try! UserID("h-7"), seq: 7, eventId: "1796404655838-0", issuedAt: 1_796_404_655_838)

    /// Parts that reached the router, in order.
    final class Router: ChannelInboundHandler {
        typealias InboundIn = HTTPRequestPart
        var parts: [HTTPRequestPart] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { parts.append(unwrapInboundIn(data)) }
    }

    struct Setup {
        let channel: EmbeddedChannel
        let router: Router
        let finalAnswers: FinalAnswers
        let registry: PrometheusCollectorRegistry
    }

    func setup(
        access policy: AccessPolicy = AccessPolicy(), refreshAfter: Duration = .seconds(3600)
    ) throws -> Setup {
        let finalAnswers = FinalAnswers(maxHolders: 100, refreshAfter: refreshAfter)
        #expect(finalAnswers.learn(coupon: Self.sold, .soldOut) == .soldOut)
        finalAnswers.store(coupon: Self.sold, .soldOut, holders: [Self.holder])
        let registry = PrometheusCollectorRegistry()
        let metrics = ServiceMetrics(partitioning: try Partitioning(count: 4), registry: registry)
        let answers = FastIssueAnswers(
            finalAnswers: finalAnswers, access: AccessControl(policy, logger: Logger(label: "test")),
            maxBodySize: 64, metrics: metrics.issues)
        let router = Router()
        let channel = EmbeddedChannel(handlers: [FastIssueAnswerHandler(answers), router])
        return Setup(channel: channel, router: router, finalAnswers: finalAnswers, registry: registry)
    }

    static func issue(
        _ coupon: CouponID, _ user: String, path: String? = nil, headers: HTTPFields = [:]
    ) -> [HTTPRequestPart] {
        var fields: HTTPFields = [.contentType: "application/json"]
        fields.append(contentsOf: headers)
        let head = HTTPRequest(
            method: .post, scheme: nil, authority: "x", path: path ?? "/v1/coupons/\(coupon)/issues",
            headerFields: fields)
        return [.head(head), .body(ByteBuffer(string: #"{"userId": "\#(user)"}"#)), .end(nil)]
    }

    /// What the handler wrote: the status, the header fields, the body parsed by Foundation.
    static func answer(_ channel: EmbeddedChannel) throws -> (HTTPResponse, [String: Any])? {
        guard let first = try channel.readOutbound(as: HTTPResponsePart.self) else { return nil }
        guard case .head(let head) = first, case .body(let body) = try channel.readOutbound(as: HTTPResponsePart.self),
            case .end(nil) = try channel.readOutbound(as: HTTPResponsePart.self)
        else {
            Issue.record("not head, body, end: \(first)")
            return nil
        }
        #expect(head.headerFields[.contentLength] == String(body.readableBytes))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
        return (head, json)
    }

    /// The router answers, as Hummingbird would, from the tail of the pipeline (through the
    /// handler); the answers written are read and dropped.
    static func routerAnswers(_ statuses: [HTTPResponse.Status], _ channel: EmbeddedChannel) throws {
        for status in statuses {
            try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: status)))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
        }
        while try channel.readOutbound(as: HTTPResponsePart.self) != nil {}
    }

    static func send(_ parts: [HTTPRequestPart], _ channel: EmbeddedChannel) throws {
        for part in parts { try channel.writeInbound(part) }
    }

    /// The registry's samples, as a scrape reads them.
    static func metrics(_ registry: PrometheusCollectorRegistry) -> PrometheusText {
        var text: [UInt8] = []
        registry.emit(into: &text)
        return PrometheusText(String(decoding: text, as: UTF8.self))
    }

    @Test func aSoldOutCouponIsAnsweredHereAndNothingReachesTheRouter() throws {
        let s = try setup()
        try Self.send(Self.issue(Self.sold, "late"), s.channel)
        let (head, json) = try #require(try Self.answer(s.channel))
        #expect(head.status == .gone)
        #expect(head.headerFields[.contentType] == "application/json; charset=utf-8")
        #expect(head.headerFields[.date]?.hasSuffix(" GMT") == true)
        #expect((json["error"] as? [String: Any])?["code"] as? String == "SOLD_OUT")
        #expect(s.router.parts.isEmpty)

        try Self.send(Self.issue(Self.sold, "h-7"), s.channel)
        let (held, body) = try #require(try Self.answer(s.channel))
        #expect(held.status == .conflict)
        let issuance = try #require(body["issuance"] as? [String: Any])
        #expect(issuance["seq"] as? Int == 7)
        #expect(issuance["eventId"] as? String == "1796404655838-0")
        #expect(issuance["issuedAt"] as? String == "2026-12-04T17:17:35.838Z")
        #expect(s.router.parts.isEmpty)
        #expect(Self.metrics(s.registry)["coupon_issue_event_loop_answers_total"] == 2)
        #expect(Self.metrics(s.registry)[#"coupon_issue_requests_total{outcome="sold_out"}"#] == 1)
        #expect(Self.metrics(s.registry)[#"coupon_issue_requests_total{outcome="already_issued"}"#] == 1)
    }

    /// Everything the fast path cannot check completely goes to the router exactly as it came.
    @Test func whatItCannotAnswerReachesTheRouterUnchanged() throws {
        let big = String(repeating: "x", count: 100)
        var cases: [(String, [HTTPRequestPart])] = [
            ("a coupon that is not final", Self.issue(Self.open, "u-1")),
            ("a query", Self.issue(Self.sold, "u-1", path: "/v1/coupons/5/issues?x=1")),
            ("an encoded id", Self.issue(Self.sold, "u-1", path: "/v1/coupons/%35/issues")),
            ("another route", Self.issue(Self.sold, "u-1", path: "/v1/coupons/5")),
            ("Connection: close", Self.issue(Self.sold, "u-1", headers: [.connection: "close"])),
            ("Expect", Self.issue(Self.sold, "u-1", headers: [.expect: "100-continue"])),
            ("a bad X-Request-Id", Self.issue(Self.sold, "u-1", headers: [.requestID: ""])),
            ("a user id too long", Self.issue(Self.sold, String(repeating: "u", count: 65))),
            ("a body over the limit", Self.issue(Self.sold, big)),
        ]
        var wrongType = Self.issue(Self.sold, "u-1")
        if case .head(var head) = wrongType[0] {
            head.headerFields[.contentType] = "text/plain"
            wrongType[0] = .head(head)
        }
        cases.append(("another media type", wrongType))
        var notJSON = Self.issue(Self.sold, "u-1")
        notJSON[1] = .body(ByteBuffer(string: #"{"userId": 7}"#))
        cases.append(("a body the flat parser refuses", notJSON))
        var trailers = Self.issue(Self.sold, "u-1")
        trailers[2] = .end([HTTPField.Name("X-Trailer")!: "1"])
        cases.append(("trailers", trailers))
        var split = Self.issue(Self.open, "u-2")
        split.insert(.body(ByteBuffer(string: " ")), at: 2)
        cases.append(("a body in two parts", split))

        for (name, parts) in cases {
            let s = try setup()
            try Self.send(parts, s.channel)
            #expect(try s.channel.readOutbound(as: HTTPResponsePart.self) == nil, "\(name): answered")
            #expect(Self.joined(s.router.parts) == Self.joined(parts), "\(name)")
        }
    }

    /// Body parts joined, so that a body handed over in one piece compares with the parts it came in.
    static func joined(_ parts: [HTTPRequestPart]) -> [String] {
        var out: [String] = []
        var body = ""
        for part in parts {
            switch part {
            case .head(let head): out.append("head \(head.method) \(head.path ?? "") \(head.headerFields)")
            case .body(let buffer): body += String(buffer: buffer)
            case .end(let trailers):
                out.append("body \(body)")
                out.append("end \(String(describing: trailers))")
                body = ""
            }
        }
        return out
    }

    /// HTTP/1.1 pipelining: while the router owes an answer, a request it could answer goes to the
    /// router too, so the answers leave in order; once the router's answer is written, it answers again.
    @Test func answersLeaveInTheOrderAsked() throws {
        let s = try setup()
        try Self.send(Self.issue(Self.open, "u-1"), s.channel)
        try Self.send(Self.issue(Self.sold, "late"), s.channel)
        #expect(try s.channel.readOutbound(as: HTTPResponsePart.self) == nil)
        #expect(s.router.parts.count == 6)

        try Self.routerAnswers([.created, .gone], s.channel)

        try Self.send(Self.issue(Self.sold, "late"), s.channel)
        #expect(try Self.answer(s.channel)?.0.status == .gone)
        #expect(s.router.parts.count == 6)
    }

    /// A request kept to try and then handed over leaves the handler between requests: once the
    /// router has answered it, the next final request is answered here.
    @Test func afterAHandOverTheNextRequestIsTriedAgain() throws {
        let s = try setup()
        try Self.send(Self.issue(Self.open, "u-1"), s.channel)
        #expect(s.router.parts.count == 3)
        try Self.routerAnswers([.created], s.channel)
        try Self.send(Self.issue(Self.sold, "late"), s.channel)
        #expect(try Self.answer(s.channel)?.0.status == .gone)
        #expect(s.router.parts.count == 3)
    }

    /// The rate limits apply as on the router, and only to requests answered here.
    @Test func rateLimitsApply() throws {
        var policy = AccessPolicy()
        policy.userRate = try RateLimit("1/h")
        let s = try setup(access: policy)
        try Self.send(Self.issue(Self.sold, "late"), s.channel)
        #expect(try Self.answer(s.channel)?.0.status == .gone)
        try Self.send(Self.issue(Self.sold, "late"), s.channel)
        let (limited, json) = try #require(try Self.answer(s.channel))
        #expect(limited.status == .tooManyRequests)
        #expect(limited.headerFields[.retryAfter] != nil)
        #expect((json["error"] as? [String: Any])?["code"] as? String == "RATE_LIMITED")
        #expect(Self.metrics(s.registry)[#"coupon_issue_requests_total{outcome="rate_limited"}"#] == 1)
    }

    /// A coupon due for its confirmation is the router's: the fast path hands the request over
    /// without claiming the confirmation, so the router's lookup claims it and asks Redis.
    @Test func aConfirmationDueGoesToTheRouterUnclaimed() async throws {
        let s = try setup(refreshAfter: .milliseconds(50))
        try await Task.sleep(for: .milliseconds(120))
        try Self.send(Self.issue(Self.sold, "late"), s.channel)
        #expect(try s.channel.readOutbound(as: HTTPResponsePart.self) == nil)
        #expect(s.router.parts.count == 3)
        let user = try UserID("late")
        #expect(s.finalAnswers.answer(coupon: Self.sold, user: user) == nil, "the router's lookup claims it")
        #expect(s.finalAnswers.settledAnswer(coupon: Self.sold, user: user) == .soldOut, "claimed: answered meanwhile")
    }

    @Test func theDateFieldIsIMFFixdate() {
        #expect(HTTPDateField.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDateField.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateField.format(1_796_404_655) == "Fri, 04 Dec 2026 17:17:35 GMT")
        #expect(HTTPDateField.format(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        // Against Foundation, at random seconds up to 9999.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        for _ in 0..<2_000 {
            let seconds = Int.random(in: 0...253_402_300_799)
            #expect(
                HTTPDateField.format(seconds) == formatter.string(from: Date(timeIntervalSince1970: Double(seconds))),
                "\(seconds)")
        }
    }
}
