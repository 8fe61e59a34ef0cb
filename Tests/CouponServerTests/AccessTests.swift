import CouponCore
import CouponLedger
import CouponServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Redis
import Synchronization
import TestSupport
import Testing

/// Who may ask, how often, how much: JWT identity, rate limits, the in-flight limit, slow clients.
@Suite struct AccessTests {
    /// 64 bytes: long enough for HS384 too (the forged-algorithm case).
    static let secret = String(repeating: "test-secret-", count: 6) + "0123"

    typealias Claims = JWTAuthenticator.Claims

    static func hs256(
        _ sub: String, secret: String = secret, exp: TimeInterval? = 300, nbf: TimeInterval? = nil,
        iss: String? = "shop", aud: String? = "coupons"
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims(sub, exp: exp, nbf: nbf, iss: iss, aud: aud))
    }

    static func claims(
        _ sub: String, exp: TimeInterval? = 300, nbf: TimeInterval? = nil, iss: String? = "shop",
        aud: String? = "coupons"
    ) -> Claims {
        Claims(
            sub: SubjectClaim(value: sub), exp: exp.map { ExpirationClaim(value: Date().addingTimeInterval($0)) },
            nbf: nbf.map { NotBeforeClaim(value: Date().addingTimeInterval($0)) }, iss: iss.map(IssuerClaim.init),
            aud: aud.map { AudienceClaim(value: [$0]) })
    }

    static func jwtPolicy(publicKeyPEM: String? = nil) async throws -> AccessPolicy {
        var policy = AccessPolicy()
        policy.jwt = try await JWTAuthenticator(
            secret: publicKeyPEM == nil ? secret : nil, publicKeyPEM: publicKeyPEM, issuer: "shop", audience: "coupons")
        return policy
    }

    static func bearer(_ token: String) -> HTTPFields {
        [.contentType: "application/json", .authorization: "Bearer \(token)"]
    }

    /// A token's parts re-assembled by hand (for `alg: none` and forged headers).
    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test func aValidTokenIssuesToItsSubjectAndEveryBadTokenWritesNothing() async throws {
        let server = try await RedisServer()
        let redis = RedisClient(configuration: server.configuration)
        defer { redis.close() }
        try await withApp(server.configuration, access: try await Self.jwtPolicy()) { client in
            let coupon = try await client.createCoupon(quantity: 10)
            let path = "/v1/coupons/\(coupon)/issues"
            let alice = try await Self.hs256("alice")

            // No userId in the body: the token says who.
            let issued = try await client.post(path, json: "{}", headers: Self.bearer(alice))
            #expect(issued.status == .created)
            #expect(issued.json["userId"] as? String == "alice")
            // The same id in the body is fine; another is 403 and writes nothing.
            let again = try await client.post(path, json: #"{"userId": "alice"}"#, headers: Self.bearer(alice))
            #expect(again.status == .conflict)
            let before = try await redis.digest()
            let mismatch = try await client.post(path, json: #"{"userId": "bob"}"#, headers: Self.bearer(alice))
            #expect(mismatch.status == .forbidden)
            #expect((mismatch.json["error"] as? [String: Any])?["code"] as? String == "USER_MISMATCH")

            // Lookups: one's own only.
            let own = try await client.execute(uri: "\(path)/alice", method: .get, headers: Self.bearer(alice))
            #expect(own.status == .ok)
            #expect(own.json["userId"] as? String == "alice")
            let other = try await client.execute(uri: "\(path)/bob", method: .get, headers: Self.bearer(alice))
            #expect(other.status == .forbidden)

            let header = Self.base64URL(#"{"alg":"none","typ":"JWT"}"#)
            let payload = Self.base64URL(
                #"{"sub":"mallory","exp":\#(Int(Date().timeIntervalSince1970) + 300),"iss":"shop","aud":"coupons"}"#)
            let parts = alice.split(separator: ".")
            let hs384Keys = JWTKeyCollection()
            await hs384Keys.add(hmac: HMACKey(from: Self.secret), digestAlgorithm: .sha384)
            let refused: [(String, HTTPFields)] = [
                ("no token", [.contentType: "application/json"]),
                ("not a bearer", [.contentType: "application/json", .authorization: "Basic YTpi"]),
                ("malformed", Self.bearer("not.a.token")),
                ("garbage", Self.bearer("abc")),
                ("bad signature", Self.bearer(try await Self.hs256("mallory", secret: Self.secret + "x"))),
                ("alg none", Self.bearer("\(header).\(payload).")),
                ("alg none, old signature", Self.bearer("\(header).\(payload).\(parts[2])")),
                ("HS384 with the same secret", Self.bearer(try await hs384Keys.sign(Self.claims("mallory")))),
                ("another user's payload under alice's signature", Self.bearer("\(parts[0]).\(payload).\(parts[2])")),
                ("expired", Self.bearer(try await Self.hs256("mallory", exp: -120))),
                ("no exp", Self.bearer(try await Self.hs256("mallory", exp: nil))),
                ("not yet valid", Self.bearer(try await Self.hs256("mallory", nbf: 600))),
                ("wrong issuer", Self.bearer(try await Self.hs256("mallory", iss: "elsewhere"))),
                ("wrong audience", Self.bearer(try await Self.hs256("mallory", aud: "other"))),
            ]
            for (name, headers) in refused {
                let response = try await client.post(path, json: #"{"userId": "mallory"}"#, headers: headers)
                #expect(response.status == .unauthorized, "\(name)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer", "\(name)")
                #expect((response.json["error"] as? [String: Any])?["code"] as? String == "UNAUTHENTICATED", "\(name)")
                let body = String(buffer: response.body)
                #expect(!body.contains("eyJ"), "\(name): the token must not be echoed")
            }
            #expect(try await redis.digest() == before, "a refused request wrote to Redis")

            // Within the leeway (30 s) an expired token still passes.
            let lately = try await Self.hs256("carol", exp: -10)
            #expect(try await client.post(path, json: "{}", headers: Self.bearer(lately)).status == .created)
        }
    }

    @Test func anES256KeyAcceptsItsTokensAndRefusesAnHMACForgedWithThePublicKey() async throws {
        let server = try await RedisServer()
        let privateKey = ES256PrivateKey()
        let pem = privateKey.publicKey.pemRepresentation
        try await withApp(server.configuration, access: try await Self.jwtPolicy(publicKeyPEM: pem)) { client in
            let coupon = try await client.createCoupon(quantity: 10)
            let keys = JWTKeyCollection()
            await keys.add(ecdsa: privateKey)
            let token = try await keys.sign(Self.claims("dave"))
            let issued = try await client.post("/v1/coupons/\(coupon)/issues", json: "{}", headers: Self.bearer(token))
            #expect(issued.status == .created)
            #expect(issued.json["userId"] as? String == "dave")
            // The classic confusion: HS256 keyed with the public key's PEM text.
            let forged = try await Self.hs256("eve", secret: pem)
            let refused = try await client.post(
                "/v1/coupons/\(coupon)/issues", json: "{}", headers: Self.bearer(forged))
            #expect(refused.status == .unauthorized)
        }
    }

    /// An RS256 key (made with openssl, as an operator would) accepts tokens its private half signed.
    @Test func anRS256KeyAcceptsItsTokens() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rsa-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let privatePath = directory.appendingPathComponent("private.pem").path
        let publicPath = directory.appendingPathComponent("public.pem").path
        for arguments in [
            ["genrsa", "-out", privatePath, "2048"], ["rsa", "-in", privatePath, "-pubout", "-out", publicPath],
        ] {
            let openssl = TestProcess()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = arguments
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
            #expect(openssl.terminationStatus == 0)
        }
        let server = try await RedisServer()
        let policy = try await Self.jwtPolicy(publicKeyPEM: try String(contentsOfFile: publicPath, encoding: .utf8))
        #expect(policy.jwt?.algorithm == "RS256")
        try await withApp(server.configuration, access: policy) { client in
            let coupon = try await client.createCoupon(quantity: 10)
            let keys = JWTKeyCollection()
            await keys.add(
                rsa: try Insecure.RSA.PrivateKey(pem: try String(contentsOfFile: privatePath, encoding: .utf8)),
                digestAlgorithm: .sha256)
            let token = try await keys.sign(Self.claims("frank"))
            let issued = try await client.post("/v1/coupons/\(coupon)/issues", json: "{}", headers: Self.bearer(token))
            #expect(issued.status == .created)
            #expect(issued.json["userId"] as? String == "frank")
            let forged = try await Self.hs256("eve")
            #expect(
                try await client.post("/v1/coupons/\(coupon)/issues", json: "{}", headers: Self.bearer(forged)).status
                    == .unauthorized)
        }
    }

    /// 1,000 requests of one user as fast as they go with 5/s (burst 5): only the bucket's worth
    /// reaches Redis (counted by Redis itself); the rest get 429 with Retry-After.
    @Test func oneUserPressingAThousandTimesReachesRedisOnlyAsTheRateAllows() async throws {
        let server = try await RedisServer()
        let redis = RedisClient(configuration: server.configuration)
        defer { redis.close() }
        var policy = AccessPolicy()
        policy.userRate = try RateLimit("5/s")
        try await withApp(server.configuration, access: policy) { client in
            let coupon = try await client.createCoupon(quantity: 10)
            let before = try await Self.scriptCalls(redis)
            let started = ContinuousClock.now
            var statuses: [Int: Int] = [:]
            var retryAfter: Set<String> = []
            for _ in 0..<1_000 {
                let response = try await client.post(
                    "/v1/coupons/\(coupon)/issues", json: #"{"userId": "bot"}"#)
                statuses[response.status.code, default: 0] += 1
                if response.status == .tooManyRequests {
                    retryAfter.insert(response.headers[.retryAfter] ?? "")
                    #expect((response.json["error"] as? [String: Any])?["code"] as? String == "RATE_LIMITED")
                }
            }
            let elapsed = Double((ContinuousClock.now - started).components.seconds) + 1
            let reached = try await Self.scriptCalls(redis) - before
            #expect(reached >= 5)
            #expect(Double(reached) <= 5 + 5 * elapsed, "\(reached) reached Redis in \(elapsed) s")
            #expect(statuses[201] == 1)
            #expect(statuses[429, default: 0] >= 1_000 - Int(5 + 5 * elapsed))
            #expect(!retryAfter.isEmpty && retryAfter.allSatisfy { Int($0).map { $0 >= 1 } == true }, "\(retryAfter)")
            // Another user is not held back by the first.
            #expect(
                try await client.post("/v1/coupons/\(coupon)/issues", json: #"{"userId": "human"}"#).status
                    == .created)
        }
    }

    /// Per client address: the socket peer, or with a trusted proxy the address it forwards.
    @Test func theAddressLimitKeysOnThePeerOrOnWhatATrustedProxyForwards() async throws {
        let server = try await RedisServer()
        var policy = AccessPolicy()
        policy.addressRate = try RateLimit("1/m", burst: 2)
        // X-Forwarded-For from an untrusted peer is ignored: one address, burst 2.
        let untrusted = try await Self.statuses(server, policy) { n in "10.0.0.\(n)" }
        #expect(untrusted == [201, 201, 429, 429])
        policy.trustedProxies = [try CIDR("127.0.0.0/8")]
        let trusted = try await Self.statuses(server, policy) { n in "203.0.113.\(n % 2), 127.0.0.1" }
        #expect(trusted == [201, 201, 201, 201], "two clients behind the proxy, two requests each")
    }

    /// Four issue requests over a live socket, each with the X-Forwarded-For `forwarded(n)`.
    static func statuses(
        _ server: RedisServer, _ policy: AccessPolicy, forwarded: @escaping @Sendable (Int) -> String
    ) async throws -> [Int] {
        let codes = Mutex<[Int]>([])
        try await withApp(server.configuration, live: true, access: policy) { client in
            let coupon = try await client.createCoupon(quantity: 100)
            for n in 0..<4 {
                let response = try await client.post(
                    "/v1/coupons/\(coupon)/issues", json: #"{"userId": "u\#(n)-\#(UUID())"}"#,
                    headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: forwarded(n)])
                codes.withLock { $0.append(response.status.code) }
            }
        }
        return codes.withLock { $0 }
    }

    /// A million distinct keys fit in a fixed table: memory does not grow, and a hot key is still
    /// limited afterwards.
    @Test func aMillionDistinctKeysStayInAFixedTable() throws {
        let buckets = TokenBuckets(limit: try RateLimit("1/m", burst: 3), capacity: 1 << 16)
        #expect(TokenBuckets.bytesPerSlot == 16)
        var allowed = 0
        for key in 0..<1_000_000 where buckets.take("user-\(key)") == nil { allowed += 1 }
        #expect(allowed == 1_000_000, "a fresh key always has its burst")
        #expect(buckets.capacity == 1 << 16)
        let hot = (0..<10).map { _ in buckets.take("hot") }
        #expect(hot.prefix(3).allSatisfy { $0 == nil })
        #expect(hot.dropFirst(3).allSatisfy { $0 != nil })
    }

    /// With --max-inflight 2 and Redis stalled (DEBUG SLEEP), two admissions wait and the rest get
    /// 503 OVERLOADED at once; `/metrics` still answers, and shows the two in flight meanwhile.
    @Test func beyondMaxInflightAdmissionsAreShedAtOnce() async throws {
        let server = try await RedisServer()
        // Redis stalls for 4 s: longer than the default 2 s a command may take.
        var configuration = server.configuration
        configuration.commandTimeout = .seconds(8)
        let redis = RedisClient(configuration: configuration)
        defer { redis.close() }
        var policy = AccessPolicy()
        policy.maxInflight = 2
        try await withApp(configuration, access: policy) { client in
            let coupon = try await client.createCoupon(quantity: 100)
            // When the test learned that Redis woke up: what must come before it is compared with
            // it, not with a fixed time a loaded machine may overrun.
            let stall = Task { () -> ContinuousClock.Instant in
                _ = try await redis.command("DEBUG", "SLEEP", "4")
                return ContinuousClock.now
            }
            try await Task.sleep(for: .milliseconds(200))
            func inFlight() async throws -> Double? {
                PrometheusText(String(buffer: try await client.get("/metrics").body))["coupon_issue_inflight"]
            }
            // A scrape does not wait for the stalled Redis (its log gauges would): it answers
            // after at most a second with what the process knows.
            #expect(try await inFlight() == 0)
            let scraped = ContinuousClock.now
            let answers = try await withThrowingTaskGroup(of: (Int, String?, ContinuousClock.Instant).self) { group in
                for n in 0..<10 {
                    group.addTask {
                        // The first two go first: the others once both are waiting on Redis (a
                        // fixed pause was not enough on a loaded machine).
                        if n >= 2 { _ = try await eventually(timeout: .seconds(1.5)) { try await inFlight() == 2 } }
                        let response = try await client.post(
                            "/v1/coupons/\(coupon)/issues", json: #"{"userId": "s\#(n)"}"#)
                        return (response.status.code, response.headers[.retryAfter], ContinuousClock.now)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let woke = try await stall.value
            #expect(scraped < woke, "/metrics waited for Redis")
            #expect(answers.filter { $0.0 == 201 }.count == 2, "\(answers)")
            let shed = answers.filter { $0.0 == 503 }
            #expect(shed.count == 8, "\(answers)")
            #expect(shed.allSatisfy { $0.1 == "1" })
            // "At once": before Redis woke up (the two admitted waited for it).
            #expect(shed.allSatisfy { $0.2 < woke }, "\(shed.map { woke - $0.2 })")
        }
    }

    /// 1,000 connections that send half a request and stop: real clients are still served, and
    /// the idle timeout closes the stalled connections. Against the real `coupon serve` process,
    /// with curl as the real client (the in-process test client's own idle connection would be
    /// closed by the same timeout).
    @Test func halfSentRequestsDoNotStarveRealClients() async throws {
        let serve = try await ServeProcess(["--admin-token", "slow", "--idle-timeout", "2"])
        let created = try serve.post("/v1/coupons", #"{"name": "slow", "quantity": 1000}"#, token: "slow")
        let coupon = try #require(created.json?["id"] as? Int)

        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        for _ in 0..<1_000 {
            let fd = try Self.connect(port: serve.port)
            let half =
                "POST /v1/coupons/\(coupon)/issues HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"us"
            _ = half.withCString { write(fd, $0, strlen($0)) }
            sockets.append(fd)
        }
        for n in 0..<20 {
            let answer = try serve.post("/v1/coupons/\(coupon)/issues", #"{"userId": "real-\#(n)"}"#)
            #expect(answer.status == 201, "\(answer)")
            #expect(answer.json?["userId"] as? String == "real-\(n)")
        }
        // After the idle timeout the server has closed them: a read sees the end of the stream.
        try await Task.sleep(for: .seconds(4))
        var reads: [String: Int] = [:]
        for fd in sockets {
            var buffer = [UInt8](repeating: 0, count: 512)
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let count = read(fd, &buffer, buffer.count)
            let kind =
                count == 0
                ? "closed" : count < 0 ? "errno \(errno)" : String(decoding: buffer[0..<min(count, 40)], as: UTF8.self)
            reads[kind, default: 0] += 1
        }
        #expect(reads == ["closed": sockets.count], "\(reads)")
        #expect(try serve.post("/v1/coupons/\(coupon)/issues", #"{"userId": "later"}"#).status == 201)
        #expect(try await serve.stop() == 0, "\(serve.process.log)")
    }

    /// `--admin-token-file`: the file's token (its trailing newline dropped) opens the admin routes.
    @Test func theAdminTokenCanComeFromAFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("admin-\(UUID())")
        try "from-a-file\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let serve = try await ServeProcess(["--admin-token-file", file.path])
        let body = #"{"name": "admin", "quantity": 1}"#
        #expect(try serve.post("/v1/coupons", body, token: "from-a-file").status == 201)
        #expect(try serve.post("/v1/coupons", body, token: "from-a-fil").status == 401)
        #expect(!serve.process.log.contains("admin token is"), "a token from a file is not generated nor printed")
        #expect(try await serve.stop() == 0)
    }

    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw TestSupportError("connect to \(port) failed") }
        return fd
    }

    static func scriptCalls(_ redis: RedisClient) async throws -> Int {
        let info = try await redis.command("INFO", "commandstats").string ?? ""
        return info.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("cmdstat_evalsha:") }
            .compactMap { $0.split(separator: ",").first?.split(separator: "=").last.flatMap { Int($0) } }
            .reduce(0, +)
    }
}

/// The admin check compares in constant time: the same answer as ==, without an early exit.
@Suite struct ConstantTimeTests {
    @Test func equalsLikeEqualityForEveryShapeOfInput() {
        let cases = ["", "a", "Bearer token", "Bearer tokem", "Bearer token2", "bearer token", "Bearer t\u{00E9}ken"]
        for a in cases {
            for b in cases {
                #expect(ConstantTime.equal(a, b) == (a == b), "\(a) vs \(b)")
            }
        }
    }
}
