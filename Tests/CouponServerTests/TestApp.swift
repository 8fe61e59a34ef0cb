import CouponCore
import CouponLedger
import CouponServer
import CouponStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Redis
import TestSupport
import Testing

let adminToken = "test-admin-token"

/// Builds the real application against a real Redis (initialised with P partitions) and runs
/// `test` with a router-level client: the whole stack but the socket.
func withApp(
    _ redis: RedisConfiguration,
    partitions: Int = 4,
    database: DatabaseURL? = nil,
    workers: Int = 0,
    live: Bool = false,
    access: AccessPolicy = AccessPolicy(),
    idleTimeout: Duration = .seconds(30),
    _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let partitioning = try Partitioning(count: partitions)
    let setup = RedisClient(configuration: redis)
    _ = try await RedisDeployment(client: setup).initialise(partitioning)
    setup.close()
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    var configuration = AppConfiguration(
        port: 0, redis: redis, partitioning: partitioning, adminToken: adminToken, database: database, workers: workers)
    configuration.worker.block = .milliseconds(100)
    configuration.access = access
    configuration.idleTimeout = idleTimeout
    let app = try await buildApplication(configuration, logger: logger)
    try await app.test(live ? .live : .router) { client in try await test(client) }
}

extension TestClientProtocol {
    func post(_ uri: String, json: String, headers: HTTPFields = [.contentType: "application/json"]) async throws
        -> TestResponse
    {
        try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    func get(_ uri: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .get)
    }

    func createCoupon(name: String = "Test", quantity: Int, startsAt: String? = nil, endsAt: String? = nil)
        async throws -> Int64
    {
        var fields = ["\"name\": \"\(name)\"", "\"quantity\": \(quantity)"]
        if let startsAt { fields.append("\"startsAt\": \"\(startsAt)\"") }
        if let endsAt { fields.append("\"endsAt\": \"\(endsAt)\"") }
        let response = try await post(
            "/v1/coupons", json: "{\(fields.joined(separator: ","))}",
            headers: [.contentType: "application/json", .authorization: "Bearer \(adminToken)"])
        guard response.status == .created,
            let id = response.json["id"] as? Int64 ?? (response.json["id"] as? Int).map(Int64.init)
        else { throw TestSupportError("create coupon: \(response.status) \(String(buffer: response.body))") }
        return id
    }
}

extension TestResponse {
    /// The body parsed by Foundation's JSONSerialization (not the service's own writer or fast
    /// path): a body that is not one JSON object fails the test that reads it.
    var json: [String: Any] {
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
                Issue.record("\(status): body is JSON but not an object: \(String(buffer: body))")
                return [:]
            }
            return object
        } catch {
            Issue.record("\(status): body is not JSON (\(error)): \(String(buffer: body))")
            return [:]
        }
    }

    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
}

func iso(_ date: Date) -> String { EpochMillis.format(Int64(date.timeIntervalSince1970 * 1000)) }
