import Foundation
import Synchronization

/// Token buckets for any number of keys (users, client addresses) in a fixed amount of memory:
/// 16 bytes a slot, `capacity` slots, reserved once with `calloc` — the kernel hands out zeroed
/// pages as they are first written, so resident memory grows with the keys seen, up to the table.
///
/// A key's bucket lives in one of two neighbouring slots picked by a hash of the key (Swift's
/// `Hasher`, seeded randomly per process, so nobody can aim keys at one slot). A slot is taken
/// over when it is empty or its bucket has refilled (an idle key loses nothing by being
/// forgotten); when both are busy with other keys, the fuller one is taken over. So when more
/// keys are active at once than there are slots, some get a fresh bucket early — the limit gets
/// looser, never stricter for an innocent key, and memory never grows.
///
/// `@unchecked Sendable`: the slot arrays are only touched under the lock of the stripe (a range
/// of slots) they belong to.
public final class TokenBuckets: @unchecked Sendable {
    public let limit: RateLimit
    public let capacity: Int
    private let locks: [StripeLock]
    private let stripeSize: Int
    private let start = ContinuousClock.now
    /// The key's hash; 0: empty.
    private let fingerprints: UnsafeMutablePointer<UInt64>
    private let tokens: UnsafeMutablePointer<Float>
    /// When the bucket was last refilled, in ms since `start`.
    private let stamps: UnsafeMutablePointer<UInt32>

    public static let bytesPerSlot = MemoryLayout<UInt64>.size + MemoryLayout<Float>.size + MemoryLayout<UInt32>.size

    /// A `Mutex` cannot be copied into an array; a reference to one can.
    private final class StripeLock: Sendable {
        let mutex = Mutex(())
    }

    public init(limit: RateLimit, capacity: Int = 1 << 20) {
        self.limit = limit
        let stripeCount = 64
        stripeSize = max(2, (capacity / stripeCount) & ~1)
        self.capacity = stripeSize * stripeCount
        locks = (0..<stripeCount).map { _ in StripeLock() }
        fingerprints = Self.zeroed(self.capacity)
        tokens = Self.zeroed(self.capacity)
        stamps = Self.zeroed(self.capacity)
    }

    deinit {
        free(fingerprints)
        free(tokens)
        free(stamps)
    }

    private static func zeroed<T>(_ count: Int) -> UnsafeMutablePointer<T> {
        guard let memory = calloc(count, MemoryLayout<T>.stride) else { fatalError("out of memory") }
        return memory.bindMemory(to: T.self, capacity: count)
    }

    /// Takes a token for the key: nil when allowed, else the seconds until one is there.
    public func take(_ key: some Hashable) -> Int? {
        var hasher = Hasher()
        hasher.combine(key)
        let hash = UInt64(bitPattern: Int64(hasher.finalize()))
        let fingerprint = max(1, hash)
        let first = Int(hash % UInt64(capacity)) & ~1
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        let now = UInt32(truncatingIfNeeded: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        let burst = Float(limit.burst)
        let rate = Float(limit.perSecond)
        return locks[first / stripeSize].mutex.withLock { _ -> Int? in
            func refilled(_ index: Int) -> Float {
                let elapsed = Float(now &- stamps[index]) / 1000
                return min(burst, tokens[index] + elapsed * rate)
            }
            var index: Int
            if fingerprints[first] == fingerprint {
                index = first
            } else if fingerprints[first + 1] == fingerprint {
                index = first + 1
            } else {
                // A new (or forgotten) key: an empty or idle slot, else the fuller of the two.
                let a = fingerprints[first] == 0 ? burst : refilled(first)
                let b = fingerprints[first + 1] == 0 ? burst : refilled(first + 1)
                index = a >= b ? first : first + 1
                fingerprints[index] = fingerprint
                tokens[index] = burst
                stamps[index] = now
            }
            let available = refilled(index)
            stamps[index] = now
            if available >= 1 {
                tokens[index] = available - 1
                return nil
            }
            tokens[index] = available
            return max(1, Int(((1 - available) / rate).rounded(.up)))
        }
    }
}
