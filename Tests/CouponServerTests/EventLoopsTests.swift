import CouponCore
import CouponLedger
import Foundation
import Redis
import TestSupport
import Testing

/// `serve --event-loops` / `COUPON_EVENT_LOOPS`: the HTTP server runs on that many event loop
/// threads of its own, serves on them, and shuts them down with the process.
@Suite struct EventLoopsTests {
    @Test func serveRunsTheEventLoopsItIsGivenAndStopsThemOnSIGTERM() async throws {
        let server = try RedisServer()
        let setup = RedisClient(configuration: server.configuration)
        _ = try await RedisDeployment(client: setup).initialise(try Partitioning(count: 2))
        setup.close()
        let port = try FreePort.next()
        let serve = try CouponProcess(
            [
                "serve", "--redis", server.url, "--partitions", "2", "--port", String(port), "--workers", "0",
                "--admin-token", "loops",
            ], environment: ["COUPON_EVENT_LOOPS": "3"])
        #expect(try await eventually { serve.log.contains("listening on") }, "\(serve.log)")

        // NIO names the threads of a group it was asked to make `NIO-ELT-<group>-#<n>`.
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(serve.pid)/task").map {
            (try? String(contentsOfFile: "/proc/\(serve.pid)/task/\($0)/comm", encoding: .utf8)) ?? ""
        }
        #expect(threads.filter { $0.hasPrefix("NIO-ELT-") }.count == 3, "\(threads)")

        let created = try AccessTests.curl(port, "/v1/coupons", #"{"name": "loops", "quantity": 10}"#, token: "loops")
        let coupon = try #require(created.json?["id"] as? Int)
        let issued = try AccessTests.curl(port, "/v1/coupons/\(coupon)/issues", #"{"userId": "on-a-loop"}"#)
        #expect(issued.status == 201)
        #expect(issued.json?["userId"] as? String == "on-a-loop")
        #expect(issued.json?["seq"] as? Int == 1)

        serve.signal(SIGTERM)
        #expect(try await serve.waitForExit().status == 0, "\(serve.log)")
    }
}
