import CouponCore

/// One user's issuance as Redis has it.
public enum IssuanceLookup: Sendable, Equatable {
    case issued(Issuance)
    case notIssued
    case couponNotFound
}
