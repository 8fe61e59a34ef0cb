import Synchronization

/// Token buckets for any number of keys (users, client addresses) in a fixed amount of memory:
/// 16 bytes a slot, `capacity` slots, allocated once.
///
/// A key's bucket lives in one of two neighbouring slots picked by a hash of the key (Swift's
/// `Hasher`, seeded randomly per process, so nobody can aim keys at one slot). A slot is taken
/// over when it is empty or its bucket has refilled (an idle key loses nothing by being
/// forgotten); when both are busy with other keys, the fuller one is taken over. So when more
/// keys are active at once than there are slots, some get a fresh bucket early — the limit gets
/// looser, never stricter for an innocent key, and memory never grows.
public final class TokenBuckets: Sendable {
    public let limit: RateLimit
    public let capacity: Int
    private let stripes: [LockedStripe]
    private let stripeSize: Int
    private let start = ContinuousClock.now

    public static let bytesPerSlot = MemoryLayout<UInt64>.size + MemoryLayout<Float>.size + MemoryLayout<UInt32>.size

    /// A `Mutex` cannot be copied into an array; a reference to one can.
    private final class LockedStripe: Sendable {
        let state: Mutex<Stripe>
        init(_ stripe: Stripe) { state = Mutex(stripe) }
    }

    private struct Stripe {
        /// The key's hash; 0: empty.
        var fingerprints: [UInt64]
        var tokens: [Float]
        /// When the bucket was last refilled, in ms since `start`.
        var stamps: [UInt32]
    }

    public init(limit: RateLimit, capacity: Int = 1 << 20) {
        self.limit = limit
        let stripeCount = 64
        stripeSize = max(2, (capacity / stripeCount) & ~1)
        self.capacity = stripeSize * stripeCount
        let size = stripeSize
        stripes = (0..<stripeCount).map { _ in
            LockedStripe(
                Stripe(
                    fingerprints: Array(repeating: 0, count: size), tokens: Array(repeating: 0, count: size),
                    stamps: Array(repeating: 0, count: size)))
        }
    }

    /// Takes a token for the key: nil when allowed, else the seconds until one is there.
    public func take(_ key: some Hashable) -> Int? {
        var hasher = Hasher()
        hasher.combine(key)
        let hash = UInt64(bitPattern: Int64(hasher.finalize()))
        let fingerprint = max(1, hash)
        let slot = Int(hash % UInt64(capacity))
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        let now = UInt32(truncatingIfNeeded: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        let burst = Float(limit.burst)
        let rate = Float(limit.perSecond)
        return stripes[slot / stripeSize].state.withLock { stripe -> Int? in
            let first = (slot % stripeSize) & ~1
            func refilled(_ index: Int) -> Float {
                let elapsed = Float(now &- stripe.stamps[index]) / 1000
                return min(burst, stripe.tokens[index] + elapsed * rate)
            }
            var index = first
            if stripe.fingerprints[first] == fingerprint {
                index = first
            } else if stripe.fingerprints[first + 1] == fingerprint {
                index = first + 1
            } else {
                // A new (or forgotten) key: an empty or idle slot, else the fuller of the two.
                let a = stripe.fingerprints[first] == 0 ? burst : refilled(first)
                let b = stripe.fingerprints[first + 1] == 0 ? burst : refilled(first + 1)
                index = a >= b ? first : first + 1
                stripe.fingerprints[index] = fingerprint
                stripe.tokens[index] = burst
                stripe.stamps[index] = now
            }
            let tokens = refilled(index)
            stripe.stamps[index] = now
            if tokens >= 1 {
                stripe.tokens[index] = tokens - 1
                return nil
            }
            stripe.tokens[index] = tokens
            return max(1, Int(((1 - tokens) / rate).rounded(.up)))
        }
    }
}
