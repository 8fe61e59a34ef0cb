/// Splits n items into chunks of a few fixed sizes, largest first: a statement built for a number
/// of rows or ids (`VALUES (…), (…)`, `IN (?, …)`) is then prepared for at most five sizes, not
/// for every batch size (servers bound their prepared statements), and n items take at most
/// n / 256 + 12 executions.
enum FixedChunks {
    static let sizes = [256, 64, 16, 4, 1]

    static func ranges(_ count: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for size in sizes {
            while count - start >= size {
                ranges.append(start..<start + size)
                start += size
            }
        }
        return ranges
    }
}
