import Foundation
import TestSupport
import Testing

/// `serve --event-loops` / `COUPON_EVENT_LOOPS`: the HTTP server runs on that many event loop
/// threads of its own, serves on them, and shuts them down with the process.
@Suite struct EventLoopsTests {
    @Test func serveRunsTheEventLoopsItIsGivenAndStopsThemOnSIGTERM() async throws {
        let serve = try await ServeProcess(["--admin-token", "loops"], environment: ["COUPON_EVENT_LOOPS": "3"])
        let pid = serve.process.pid

        // NIO names the threads of a group it was asked to make `NIO-ELT-<group>-#<n>`.
        let threads = try threadNames(of: pid)
        #expect(threads.filter { $0.hasPrefix("NIO-ELT-") }.count == 3, "\(threads)")

        let created = try serve.post("/v1/coupons", #"{"name": "loops", "quantity": 10}"#, token: "loops")
        let coupon = try #require(created.json?["id"] as? Int)
        let issued = try serve.post("/v1/coupons/\(coupon)/issues", #"{"userId": "on-a-loop"}"#)
        #expect(issued.status == 201)
        #expect(issued.json?["userId"] as? String == "on-a-loop")
        #expect(issued.json?["seq"] as? Int == 1)

        #expect(try await serve.stop() == 0, "\(serve.process.log)")
    }
}
