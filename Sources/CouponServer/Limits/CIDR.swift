import Foundation

/// An address range as `--trust-proxy` takes it: `10.0.0.0/8`, `192.168.1.7`, `fd00::/8`.
public struct CIDR: Sendable, Equatable, CustomStringConvertible {
    private let network: [UInt8]
    private let prefixLength: Int
    public let description: String

    public init(_ text: String) throws(LimitConfigurationError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = CIDR.bytes(String(parts[0])) else {
            throw LimitConfigurationError("expected an address or range like 10.0.0.0/8, got '\(text)'")
        }
        let bits = address.count * 8
        let length = parts.count == 2 ? Int(parts[1]) : bits
        guard let length, (0...bits).contains(length) else {
            throw LimitConfigurationError("bad prefix length in '\(text)'")
        }
        network = address
        prefixLength = length
        description = text
    }

    public func contains(_ address: String) -> Bool {
        guard let bytes = CIDR.bytes(address), bytes.count == network.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(bytes, network) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if a & mask != b & mask { return false }
            remaining -= 8
        }
        return true
    }

    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address; nil for anything else.
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
