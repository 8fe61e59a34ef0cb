import ArgumentParser
import CouponServer
import Foundation

/// `serve`'s options for who may ask, how often and how much.
struct AccessOptions: ParsableArguments {
    @Option(
        help: "none: the body's userId (behind a gateway you trust); jwt: the bearer token's sub (env COUPON_AUTH).")
    var auth: String = OptionEnvironment.string("COUPON_AUTH", default: "none")

    @Option(help: "HS256 secret for --auth jwt, in a file (env COUPON_JWT_SECRET_FILE).")
    var jwtSecretFile: String = OptionEnvironment.string("COUPON_JWT_SECRET_FILE", default: "")

    @Option(help: "RS256 or ES256 public key (PEM) for --auth jwt (env COUPON_JWT_PUBLIC_KEY_FILE).")
    var jwtPublicKeyFile: String = OptionEnvironment.string("COUPON_JWT_PUBLIC_KEY_FILE", default: "")

    @Option(help: "Required token issuer (iss), if set (env COUPON_JWT_ISSUER).")
    var jwtIssuer: String = OptionEnvironment.string("COUPON_JWT_ISSUER", default: "")

    @Option(help: "Required token audience (aud), if set (env COUPON_JWT_AUDIENCE).")
    var jwtAudience: String = OptionEnvironment.string("COUPON_JWT_AUDIENCE", default: "")

    @Option(help: "Issue requests per user, e.g. 5/s or 300/m; off if unset (env COUPON_RATE_LIMIT_USER).")
    var rateLimitUser: String = OptionEnvironment.string("COUPON_RATE_LIMIT_USER", default: "")

    @Option(help: "Burst per user; default: the rate per second (env COUPON_RATE_LIMIT_USER_BURST).")
    var rateLimitUserBurst: Int = OptionEnvironment.int("COUPON_RATE_LIMIT_USER_BURST", default: 0)

    @Option(help: "Issue requests per client address, e.g. 50/s; off if unset (env COUPON_RATE_LIMIT_IP).")
    var rateLimitIp: String = OptionEnvironment.string("COUPON_RATE_LIMIT_IP", default: "")

    @Option(help: "Burst per client address; default: the rate per second (env COUPON_RATE_LIMIT_IP_BURST).")
    var rateLimitIpBurst: Int = OptionEnvironment.int("COUPON_RATE_LIMIT_IP_BURST", default: 0)

    @Option(
        help: """
            Comma-separated addresses or ranges (10.0.0.0/8) of proxies whose X-Forwarded-For is \
            believed (env COUPON_TRUST_PROXY).
            """)
    var trustProxy: String = OptionEnvironment.string("COUPON_TRUST_PROXY", default: "")

    @Option(help: "Admissions in flight before 503 OVERLOADED; 0: no limit (env COUPON_MAX_INFLIGHT).")
    var maxInflight: Int = OptionEnvironment.int("COUPON_MAX_INFLIGHT", default: 0)

    @Option(help: "Seconds a connection may send nothing before it is closed (env COUPON_IDLE_TIMEOUT).")
    var idleTimeout: Int = OptionEnvironment.int("COUPON_IDLE_TIMEOUT", default: 30)

    func validate() throws {
        guard ["none", "jwt"].contains(auth) else {
            throw ValidationError("auth must be none or jwt, got '\(auth)'")
        }
        if auth == "jwt" {
            guard jwtSecretFile.isEmpty != jwtPublicKeyFile.isEmpty else {
                throw ValidationError("--auth jwt needs exactly one of --jwt-secret-file and --jwt-public-key-file")
            }
        }
        guard (0...1_000_000).contains(maxInflight) else {
            throw ValidationError("max-inflight must be 0–1000000, got \(maxInflight)")
        }
        guard (1...3600).contains(idleTimeout) else {
            throw ValidationError("idle-timeout must be 1–3600 seconds, got \(idleTimeout)")
        }
        for burst in [rateLimitUserBurst, rateLimitIpBurst] where !(0...1_000_000).contains(burst) {
            throw ValidationError("a rate-limit burst must be 1–1000000 (0: the rate per second), got \(burst)")
        }
        _ = try limits()
    }

    private func limits() throws -> (user: RateLimit?, address: RateLimit?, proxies: [CIDR]) {
        do {
            let user =
                try rateLimitUser.isEmpty
                ? nil : RateLimit(rateLimitUser, burst: rateLimitUserBurst == 0 ? nil : rateLimitUserBurst)
            let address =
                try rateLimitIp.isEmpty
                ? nil : RateLimit(rateLimitIp, burst: rateLimitIpBurst == 0 ? nil : rateLimitIpBurst)
            let proxies = try trustProxy.split(separator: ",").map { text throws(LimitConfigurationError) in
                try CIDR(text.trimmingCharacters(in: .whitespaces))
            }
            return (user, address, proxies)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func policy() async throws -> AccessPolicy {
        var policy = AccessPolicy()
        (policy.userRate, policy.addressRate, policy.trustedProxies) = try limits()
        policy.maxInflight = maxInflight
        if auth == "jwt" {
            policy.jwt = try await JWTAuthenticator(
                secret: jwtSecretFile.isEmpty ? nil : try Self.read(jwtSecretFile, "--jwt-secret-file"),
                publicKeyPEM: jwtPublicKeyFile.isEmpty ? nil : try Self.read(jwtPublicKeyFile, "--jwt-public-key-file"),
                issuer: jwtIssuer.isEmpty ? nil : jwtIssuer, audience: jwtAudience.isEmpty ? nil : jwtAudience)
        }
        return policy
    }

    /// A secret's file, its trailing newline removed (as `echo secret > file` leaves one).
    static func read(_ path: String, _ option: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("\(option): cannot read \(path)")
        }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}
