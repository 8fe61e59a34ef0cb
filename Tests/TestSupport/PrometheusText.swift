import Foundation

/// Reads the Prometheus text format as a scraper would: sample lines into values by their exact
/// series (`name{labels}`), and the metric names exported.
public struct PrometheusText: Sendable {
    public let text: String
    public let samples: [String: Double]

    public init(_ text: String) {
        self.text = text
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = Double(line[line.index(after: space)...])
        }
        self.samples = samples
    }

    public subscript(series: String) -> Double? { samples[series] }

    /// Every metric name with at least one sample (histograms as their `_bucket`, `_sum`,
    /// `_count` series and their base name).
    public var names: Set<String> {
        var names = Set<String>()
        for series in samples.keys {
            let name = String(series.prefix { $0 != "{" })
            names.insert(name)
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
                names.insert(String(name.dropLast(suffix.count)))
            }
        }
        return names
    }

    /// `promtool check metrics` over the text: its exit status and what it printed.
    public func promtool() throws -> (status: Int32, output: String) {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, printed)
    }
}
