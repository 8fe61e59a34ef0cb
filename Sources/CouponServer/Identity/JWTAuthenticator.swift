import CouponCore
import Foundation
import JWTKit

/// Who a request is, from `Authorization: Bearer <JWT>`: the token's `sub`.
///
/// Verification is jwt-kit's (signature, over the one key configured). On top of it, the header's
/// `alg` must be the key's own algorithm (a token that names another algorithm, `none` included,
/// is refused even before its signature is checked), `exp` is required, and `exp`/`nbf` are
/// enforced with `leeway` for clock skew; `iss` and `aud` when configured.
public struct JWTAuthenticator: Sendable {
    private let keys: JWTKeyCollection
    /// The one algorithm tokens may name: `HS256`, `RS256` or `ES256`.
    public let algorithm: String
    public let issuer: String?
    public let audience: String?
    public let leeway: Duration

    /// `secret`: an HS256 key (the file's bytes, trailing newline removed); or `publicKeyPEM`: an
    /// RS256 or ES256 public key.
    public init(
        secret: String? = nil, publicKeyPEM: String? = nil, issuer: String? = nil, audience: String? = nil,
        leeway: Duration = .seconds(30)
    ) async throws {
        let keys = JWTKeyCollection()
        if let secret {
            guard secret.utf8.count >= 32 else {
                throw JWTConfigurationError("an HS256 secret must be at least 32 bytes (256 bits)")
            }
            await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            algorithm = "HS256"
        } else if let publicKeyPEM {
            if let key = try? ES256PublicKey(pem: publicKeyPEM) {
                await keys.add(ecdsa: key)
                algorithm = "ES256"
            } else if let key = try? Insecure.RSA.PublicKey(pem: publicKeyPEM) {
                await keys.add(rsa: key, digestAlgorithm: .sha256)
                algorithm = "RS256"
            } else {
                throw JWTConfigurationError("the public key is neither an RSA nor a P-256 (ES256) key in PEM")
            }
        } else {
            throw JWTConfigurationError("jwt needs --jwt-secret-file or --jwt-public-key-file")
        }
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
    }

    /// The user the bearer token names, or why not. Never echoes the token.
    public func user(bearer token: String?, now: Date = Date()) async -> Result<UserID, AuthenticationFailure> {
        guard let token, !token.isEmpty else { return .failure(AuthenticationFailure("no bearer token")) }
        guard let named = Self.headerAlgorithm(token) else {
            return .failure(AuthenticationFailure("malformed token"))
        }
        guard named == algorithm else {
            return .failure(
                AuthenticationFailure("token algorithm '\(named.prefix(16))' is not the key's \(algorithm)"))
        }
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch {
            return .failure(AuthenticationFailure("token not verified: \(error)"))
        }
        let slack = TimeInterval(leeway.components.seconds)
        guard let exp = claims.exp else { return .failure(AuthenticationFailure("token has no exp")) }
        do {
            try exp.verifyNotExpired(currentDate: now.addingTimeInterval(-slack))
            try claims.nbf?.verifyNotBefore(currentDate: now.addingTimeInterval(slack))
            if let audience {
                guard let aud = claims.aud else { return .failure(AuthenticationFailure("token has no aud")) }
                try aud.verifyIntendedAudience(includes: audience)
            }
        } catch {
            return .failure(AuthenticationFailure("token claims refused: \(error)"))
        }
        if let issuer, claims.iss?.value != issuer {
            return .failure(AuthenticationFailure("token issuer is not \(issuer)"))
        }
        do {
            return .success(try UserID(claims.sub.value))
        } catch {
            return .failure(AuthenticationFailure("token sub is not a valid user id"))
        }
    }

    /// The `alg` of the token's header: the policy check jwt-kit leaves to its caller.
    private static func headerAlgorithm(_ token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let header = parts[0]
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["alg"] as? String
    }

    /// The claims read from a token (and what an issuer of tokens for this service signs).
    public struct Claims: JWTPayload {
        public let sub: SubjectClaim
        public let exp: ExpirationClaim?
        public let nbf: NotBeforeClaim?
        public let iss: IssuerClaim?
        public let aud: AudienceClaim?

        public init(
            sub: SubjectClaim, exp: ExpirationClaim?, nbf: NotBeforeClaim? = nil, iss: IssuerClaim? = nil,
            aud: AudienceClaim? = nil
        ) {
            (self.sub, self.exp, self.nbf, self.iss, self.aud) = (sub, exp, nbf, iss, aud)
        }

        /// The claims are checked by `user(bearer:)`, against this deployment's settings.
        public func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}

/// Why a request was not authenticated: logged, never sent to the client.
public struct AuthenticationFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

public struct JWTConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
