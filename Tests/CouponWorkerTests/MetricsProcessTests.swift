import CouponCore
import Fixtures
import Foundation
import Redis
import TestSupport
import Testing

/// `/metrics` of a real `coupon serve` and a real `coupon worker --metrics-port`, as Prometheus
/// scrapes them: promtool accepts both, the worker's counters follow the projection, and every
/// metric the Grafana dashboard queries is one the processes export.
@Suite struct MetricsProcessTests {
    func scrape(_ port: Int) throws -> PrometheusText {
        let curl = TestProcess()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sf", "http://127.0.0.1:\(port)/metrics"]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        return PrometheusText(text)
    }

    func post(_ port: Int, _ path: String, _ body: String, token: String? = nil) throws {
        let curl = TestProcess()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments =
            [
                "-s", "-o", "/dev/null", "-X", "POST", "http://127.0.0.1:\(port)\(path)", "-H",
                "Content-Type: application/json", "-d", body,
            ]
            + (token.map { ["-H", "Authorization: Bearer \($0)"] } ?? [])
        try curl.run()
        curl.waitUntilExit()
    }

    @Test func servedMetricsPassPromtoolAndCoverTheDashboard() async throws {
        let fixture = try await Fixture()
        let apiPort = try FreePort.next()
        let workerPort = try FreePort.next()
        let options = [
            "--redis", fixture.server.url, "--partitions", "2", "--database", "sqlite:\(fixture.databasePath)",
        ]
        let api = try CouponProcess(
            ["serve", "--port", String(apiPort), "--workers", "0", "--admin-token", "metrics"] + options)
        let worker = try CouponProcess(
            ["worker", "--consumer", "metrics", "--metrics-port", String(workerPort)] + options)
        let up = await eventually {
            api.log.contains("listening on") && worker.log.contains("metrics on")
        }
        #expect(up, "\(api.log)\n\(worker.log)")

        let coupon = try await fixture.race(quantity: 30, users: 40, prefix: "m")
        try post(apiPort, "/v1/coupons", #"{"name": "on sale", "quantity": 7}"#, token: "metrics")
        for user in ["x", "y", "x"] { try post(apiPort, "/v1/coupons/\(coupon)/issues", #"{"userId": "\#(user)"}"#) }
        #expect(try await fixture.caughtUp(issues: 30))

        let fromWorker = try scrape(workerPort)
        let projected = (0..<2).compactMap { fromWorker[#"coupon_projection_events_total{partition="\#($0)"}"#] }
        #expect(projected.reduce(0, +) == 32, "2 definitions and 30 issuances: \(projected)")
        #expect(fromWorker["coupon_projection_lag_seconds_count"] == 30)
        let pending = (0..<2).compactMap { fromWorker[#"coupon_pending_entries{partition="\#($0)"}"#] }
        #expect(pending == [0, 0])

        let fromAPI = try scrape(apiPort)
        // Sold out before the API saw it: x, y and x again are all non-holders.
        #expect(fromAPI[#"coupon_issue_requests_total{outcome="sold_out"}"#] == 3)
        #expect(fromAPI[#"coupon_issue_requests_total{outcome="issued"}"#] == 0)
        #expect(fromAPI[#"coupon_sale_issued{coupon="\#(coupon)"}"#] == 30)
        #expect(fromAPI[#"coupon_sale_quantity{coupon="\#(coupon)"}"#] == 30)
        #expect(
            fromAPI.names.contains("http_server_requests_total"), "Hummingbird's middleware, into the same registry")

        for scraped in [fromAPI, fromWorker] {
            let check = try scraped.promtool()
            // 0: clean; 3: lint notes only. Those may only concern Hummingbird's middleware series
            // (swift-metrics carries no HELP text); every coupon_* metric must lint clean.
            #expect(check.status == 0 || check.status == 3, "\(check.output)")
            #expect(!check.output.contains("coupon_"), "\(check.output)")
        }

        // The dashboard: it parses, and every metric its panels query is exported.
        let exported = fromAPI.names.union(fromWorker.names)
        var directory = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { directory.deleteLastPathComponent() }
        let dashboard = directory.appendingPathComponent("deploy/grafana/dashboards/flash-sale.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dashboard)) as? [String: Any])
        let panels = try #require(json["panels"] as? [[String: Any]])
        #expect(panels.count >= 6)
        let expressions = panels.flatMap {
            ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
        #expect(expressions.count >= panels.count)
        let metricName = try Regex(#"\b(coupon_[a-z_]+|http_server_[a-z_]+)"#)
        for expression in expressions {
            let names = expression.matches(of: metricName).map { String(expression[$0.range]) }
            #expect(!names.isEmpty, "\(expression)")
            for name in names {
                #expect(exported.contains(name), "the dashboard queries \(name), which nothing exports")
            }
        }

        api.signal(SIGTERM)
        worker.signal(SIGTERM)
        #expect(try await api.waitForExit().status == 0)
        #expect(try await worker.waitForExit().status == 0)
    }
}
