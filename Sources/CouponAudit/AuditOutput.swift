import Foundation

/// How the command line prints audit answers: a table for people, JSON (exactly the HTTP shapes)
/// and CSV (RFC 4180) for scripts.
public enum AuditOutput {
    public enum Format: String, Sendable, CaseIterable {
        case table, json, csv
    }

    /// The service's one JSON encoding for Foundation-encoded answers (the command line's and the
    /// HTTP audit routes'): keys sorted, slashes as they are; indented for a person.
    public static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func json(_ value: some Encodable, pretty: Bool) throws -> String {
        String(decoding: try encoder(pretty: pretty).encode(value), as: UTF8.self)
    }

    public static func render<Record: AuditRecord>(_ records: [Record], as format: Format, pretty: Bool = false)
        throws -> String
    {
        switch format {
        case .json: return try json(records, pretty: pretty)
        case .csv: return csv(Record.columns, records.map(\.values))
        case .table: return table(Record.columns, records.map(\.values))
        }
    }

    static func csv(_ header: [String], _ rows: [[String]]) -> String {
        func field(_ value: String) -> String {
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\n")
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, value) in row.enumerated() { widths[index] = max(widths[index], value.count) }
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .trimmingTrailingSpaces
        }
        let rule = widths.map { String(repeating: "-", count: $0) }
        return ([line(header), line(rule)] + rows.map(line)).joined(separator: "\n")
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
