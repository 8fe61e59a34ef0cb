/// Redis Cluster's key → slot mapping: CRC16 (XMODEM) of the key's hash tag, modulo 16384.
public enum HashSlot {
    public static let count = 16384

    /// The slot of a key. Only the part between the first `{` and the next `}` is hashed when
    /// that part is not empty, so every key of partition p (`cpn:{p}:…`) shares one slot.
    public static func of(_ key: String) -> Int {
        let utf8 = key.utf8
        if let open = utf8.firstIndex(of: UInt8(ascii: "{")),
            let close = utf8[utf8.index(after: open)...].firstIndex(of: UInt8(ascii: "}")),
            close > utf8.index(after: open)
        {
            return Int(crc16(utf8[utf8.index(after: open)..<close]) % UInt16(count))
        }
        return Int(crc16(utf8) % UInt16(count))
    }

    static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
        }
        return crc
    }
}
