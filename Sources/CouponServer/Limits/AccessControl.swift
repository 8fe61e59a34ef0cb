import CouponCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import NIOCore
import Synchronization

/// Who may ask, how often and how much: what `coupon serve`'s identity and limit flags ask for.
public struct AccessPolicy: Sendable {
    /// nil: `--auth none`, the user is the body's `userId` (behind a gateway that vouches for it).
    public var jwt: JWTAuthenticator?
    public var userRate: RateLimit?
    public var addressRate: RateLimit?
    /// Peers whose `X-Forwarded-For` is believed; every other client is its socket peer.
    public var trustedProxies: [CIDR] = []
    /// Admissions in flight in this process before new ones get 503 OVERLOADED; 0: no limit.
    public var maxInflight = 0
    /// Slots of each rate-limit table (16 bytes each).
    public var rateLimitSlots = 1 << 20

    public init() {}
}

/// The checks an issue or lookup request passes before Redis is asked; each refusal writes
/// nothing anywhere.
final class AccessControl: Sendable {
    let policy: AccessPolicy
    private let users: TokenBuckets?
    private let addresses: TokenBuckets?
    private let inflight = Atomic<Int>(0)
    private let logger: Logger

    init(_ policy: AccessPolicy, logger: Logger) {
        self.policy = policy
        self.logger = logger
        users = policy.userRate.map { TokenBuckets(limit: $0, capacity: policy.rateLimitSlots) }
        addresses = policy.addressRate.map { TokenBuckets(limit: $0, capacity: policy.rateLimitSlots) }
    }

    /// The per-address limit, on the client's address (see `clientAddress`); the peer is read only
    /// when the limit is on.
    func checkAddress(_ headers: HTTPFields, peer: @autoclosure () -> SocketAddress?) throws(APIError) {
        guard let addresses else { return }
        if let retry = addresses.take(clientAddress(headers, peer: peer())) { throw Self.rateLimited(retry) }
    }

    /// The user: the token's `sub` with `--auth jwt` (a `claimed` id must match it), else `claimed`.
    func user(_ request: Request, claimed: String?) async throws -> UserID {
        guard let jwt = policy.jwt else {
            guard let claimed else { throw APIError.invalid("userId is required") }
            return try UserID(claimed)
        }
        switch await jwt.user(bearer: request.headers.bearer?.token) {
        case .failure(let failure):
            logger.notice("request not authenticated", metadata: ["reason": "\(failure)"])
            throw APIError(
                status: .unauthorized, code: "UNAUTHENTICATED",
                message: "this route needs 'Authorization: Bearer <token>' with a valid token",
                headers: [.wwwAuthenticate: "Bearer"])
        case .success(let user):
            if let claimed, claimed != user.value {
                throw APIError(
                    status: .forbidden, code: "USER_MISMATCH", message: "the user id is not the token's subject")
            }
            return user
        }
    }

    /// The per-user limit.
    func checkUser(_ user: UserID) throws(APIError) {
        guard let users else { return }
        if let retry = users.take(user.value) { throw Self.rateLimited(retry) }
    }

    /// Takes a place among the admissions in flight; false (and nothing taken) when they are full.
    /// Counted with or without a limit: `/metrics` exports the count.
    func enter() -> Bool {
        let now = inflight.add(1, ordering: .relaxed).newValue
        if policy.maxInflight > 0 && now > policy.maxInflight {
            inflight.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func leave() {
        inflight.subtract(1, ordering: .relaxed)
    }

    /// Admissions past every check and not yet answered by Redis, now.
    var inFlight: Int { inflight.load(ordering: .relaxed) }

    static let overloaded = APIError(
        status: .serviceUnavailable, code: "OVERLOADED", message: "too many requests in flight, retry shortly",
        headers: [.retryAfter: "1"])

    private static func rateLimited(_ seconds: Int) -> APIError {
        APIError(
            status: .tooManyRequests, code: "RATE_LIMITED", message: "too many requests, retry later",
            headers: [.retryAfter: String(seconds)])
    }

    /// The socket peer; behind a trusted proxy, the last address in `X-Forwarded-For` that is not
    /// itself a trusted proxy.
    func clientAddress(_ headers: HTTPFields, peer: SocketAddress?) -> String {
        let address = peer?.ipAddress ?? "unknown"
        guard !policy.trustedProxies.isEmpty, policy.trustedProxies.contains(where: { $0.contains(address) }),
            let forwarded = headers[.xForwardedFor]
        else { return address }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !policy.trustedProxies.contains(where: { $0.contains(hop) }) {
            return CIDR.bytes(hop) == nil ? address : hop
        }
        return hops.first.flatMap { CIDR.bytes($0) == nil ? nil : $0 } ?? address
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
