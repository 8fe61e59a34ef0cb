import CouponCore

/// The coupon ledger: where definitions and issuances are decided. The HTTP layer depends on
/// this protocol only.
public protocol CouponLedger: Sendable {
    func define(_ draft: CouponDraft) async throws -> Coupon
    func admit(coupon: CouponID, user: UserID, requestId: String?) async throws -> AdmissionOutcome
    /// The coupon with its issued count, or nil when it does not exist.
    func coupon(_ id: CouponID) async throws -> Coupon?
    func issuance(coupon: CouponID, user: UserID) async throws -> IssuanceLookup
    func readiness() async -> Readiness
}

public enum IssuanceLookup: Sendable, Equatable {
    case issued(Issuance)
    case notIssued
    case couponNotFound
}

public struct Readiness: Sendable, Equatable {
    public let ready: Bool
    public let reason: String?

    public static let ready = Readiness(ready: true, reason: nil)
    public static func notReady(_ reason: String) -> Readiness { Readiness(ready: false, reason: reason) }
}
