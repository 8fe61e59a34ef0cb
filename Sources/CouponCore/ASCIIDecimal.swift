/// Unsigned decimal numbers read straight from bytes: the ids every request and every projected
/// event carry (a coupon id, a stream id's two parts). Digits `0`–`9` only — no sign, space or
/// other script's digits — and nothing that overflows.
enum ASCIIDecimal {
    /// nil when the bytes are empty, hold anything but ASCII digits, or exceed `UInt64`.
    static func parse(_ digits: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = shifted.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflowShift, !overflowAdd else { return nil }
            value = sum
        }
        return value
    }
}
