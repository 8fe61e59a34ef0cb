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
