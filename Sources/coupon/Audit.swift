import ArgumentParser
import CouponAudit
import CouponCore
import CouponLedger
import CouponStore
import Foundation
import Redis

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audit queries over the events: who won, in what order, how fast, what a user holds.",
        discussion: """
            They read the SQL archive (coupon_events, indexed) by default, or the Redis streams \
            themselves with --source log; on a caught-up system both answer the same.
            """,
        subcommands: [Timeline.self, Winners.self, User.self, Rate.self, Verify.self])

    struct Timeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A coupon's events in log order: its definition, then every issuance.")

        @OptionGroup var audit: AuditOptions
        @Option(help: "Coupon id.") var coupon: String
        @Option(help: "Only events after this event id (a cursor, e.g. the last one printed).") var after: String?
        @Option(help: "At most this many events (default: all).") var limit: Int?

        func validate() throws {
            if let limit, limit < 1 { throw ArgumentParser.ValidationError("limit must be at least 1, got \(limit)") }
            if let after, StreamID(after) == nil {
                throw ArgumentParser.ValidationError("after must be an event id like 1795…-0")
            }
        }

        func run() async throws {
            let coupon = try AuditOptions.couponId(self.coupon)
            try await audit.withQueries { queries in
                var events: [AuditEvent] = []
                var cursor = after.flatMap { StreamID($0) }
                // Pages of 10,000 until the limit or the last page.
                repeat {
                    let want = min(10_000, (limit ?? .max) - events.count)
                    let page = try await queries.timeline(coupon: coupon, after: cursor, limit: want)
                    events += page.events
                    cursor = page.next
                } while cursor != nil && events.count < (limit ?? .max)
                try audit.print(events.map(EventRecord.init))
            }
        }
    }

    struct Winners: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A coupon's issuances ordered by seq.")

        @OptionGroup var audit: AuditOptions
        @Option(help: "Coupon id.") var coupon: String
        @Option(help: "From this seq on (default 1).") var fromSeq: Int64 = 1
        @Option(help: "Up to this seq (default: the last).") var toSeq: Int64?

        func validate() throws {
            guard fromSeq >= 1 else { throw ArgumentParser.ValidationError("from-seq must be at least 1") }
            if let toSeq, toSeq < fromSeq { throw ArgumentParser.ValidationError("to-seq must not be below from-seq") }
        }

        func run() async throws {
            let coupon = try AuditOptions.couponId(self.coupon)
            try await audit.withQueries { queries in
                let winners = try await queries.winners(coupon: coupon, fromSeq: fromSeq, toSeq: toSeq, limit: nil)
                try audit.print(winners.map(WinnerRecord.init))
            }
        }
    }

    struct User: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every coupon one user holds.")

        @OptionGroup var audit: AuditOptions
        @Option(help: "User id, exactly as issued.") var user: String

        func run() async throws {
            let user: UserID
            do { user = try UserID(self.user) } catch { throw ArgumentParser.ValidationError(error.message) }
            try await audit.withQueries { queries in
                try audit.print(try await queries.holdings(user: user).map(HoldingRecord.init))
            }
        }
    }

    struct Rate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issuances per bucket from the first to the last, and how fast the coupon sold out.")

        @OptionGroup var audit: AuditOptions
        @Option(help: "Coupon id.") var coupon: String
        @Option(help: "Bucket length: 1s, 10s or 1m.") var bucket: String = RateReport.Bucket.second.rawValue

        func validate() throws {
            guard RateReport.Bucket(rawValue: bucket) != nil else {
                throw ArgumentParser.ValidationError("bucket must be 1s, 10s or 1m")
            }
        }

        func run() async throws {
            let coupon = try AuditOptions.couponId(self.coupon)
            try await audit.withQueries { queries in
                let report = RateRecord(
                    try await queries.rate(coupon: coupon, bucket: RateReport.Bucket(rawValue: bucket) ?? .second))
                switch audit.outputFormat {
                case .json:
                    Swift.print(try AuditOutput.json(report, pretty: AuditOptions.isTerminal))
                case .csv:
                    Swift.print(try AuditOutput.render(report.buckets, as: .csv))
                case .table:
                    Swift.print(try AuditOutput.render(report.buckets, as: .table))
                    if let soldOutAt = report.soldOutAt, let seconds = report.secondsToSellOut {
                        Swift.print("\nsold out at \(soldOutAt), \(seconds) s after the window opened")
                    } else {
                        Swift.print("\nnot sold out")
                    }
                }
            }
        }
    }
}

/// Options every audit query shares: where to read and how to print.
struct AuditOptions: ParsableArguments {
    @OptionGroup var common: CommonOptions
    @OptionGroup var database: DatabaseOption

    @Option(
        help: "Where to read: archive (the SQL coupon_events) or log (the Redis streams) (env COUPON_AUDIT_SOURCE).")
    var source: String = OptionEnvironment.string("COUPON_AUDIT_SOURCE", default: "archive")

    @Option(help: "Output: table, json or csv (env COUPON_AUDIT_FORMAT).")
    var format: String = OptionEnvironment.string("COUPON_AUDIT_FORMAT", default: "table")

    func validate() throws {
        guard ["archive", "log"].contains(source) else {
            throw ArgumentParser.ValidationError("source must be archive or log")
        }
        guard AuditOutput.Format(rawValue: format) != nil else {
            throw ArgumentParser.ValidationError("format must be table, json or csv")
        }
    }

    var outputFormat: AuditOutput.Format { AuditOutput.Format(rawValue: format) ?? .table }

    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static func couponId(_ text: String) throws -> CouponID {
        do { return try CouponID(parsing: text) } catch { throw ArgumentParser.ValidationError(error.message) }
    }

    func print<Record: AuditRecord>(_ records: [Record]) throws {
        Swift.print(try AuditOutput.render(records, as: outputFormat, pretty: AuditOptions.isTerminal))
    }

    /// Opens the chosen source and runs `body`; a coupon the source does not know exits 1.
    func withQueries(_ body: (AuditQueries) async throws -> Void) async throws {
        _ = common.makeLogger(label: "coupon-audit")
        do {
            if source == "log" {
                let client = RedisClient(configuration: try common.redisConfiguration())
                defer { client.close() }
                let partitioning = try common.partitioning()
                try await RedisDeployment(client: client).verify(partitioning)
                try await body(AuditQueries(source: LogAuditSource(client: client, partitioning: partitioning)))
            } else {
                let store = try await ProjectionStores.open(try database.url())
                _ = try await store.migrate()
                try await body(AuditQueries(source: store))
            }
        } catch let error as AuditError {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension Audit {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reconcile Redis's issued hashes, the log, the archive and coupon_issues.",
            discussion: """
                Takes each stream's last id first and checks up to there, so events arriving during the \
                check are not mismatches; events the projection has not reached yet are reported as lag. \
                Exit status: 0 clean, 1 mismatch found (each named in a sentence), 2 could not check.
                """)

        @OptionGroup var common: CommonOptions
        @OptionGroup var database: DatabaseOption
        @Option(help: "Only this coupon (default: every coupon).") var coupon: String?
        @Option(help: "Output: text or json (env COUPON_AUDIT_FORMAT).")
        var format: String = OptionEnvironment.string("COUPON_AUDIT_FORMAT", default: "text")

        func validate() throws {
            guard ["text", "json", "table"].contains(format) else {
                throw ArgumentParser.ValidationError("format must be text or json")
            }
        }

        func run() async throws {
            _ = common.makeLogger(label: "coupon-audit")
            let only = try coupon.map(AuditOptions.couponId)
            let report: ReconciliationReport
            do {
                let client = RedisClient(configuration: try common.redisConfiguration())
                defer { client.close() }
                let partitioning = try common.partitioning()
                guard try await RedisDeployment(client: client).confirms(partitioning) else {
                    throw LedgerError.unavailable("Redis holds no deployment (cpn:partitions is missing)")
                }
                let store = try await ProjectionStores.open(try database.url())
                _ = try await store.migrate()
                report = try await Reconciliation(client: client, store: store, partitioning: partitioning).run(
                    coupon: only)
            } catch {
                FileHandle.standardError.write(Data("could not check: \(error)\n".utf8))
                throw ExitCode(2)
            }
            Swift.print(format == "json" ? try AuditOutput.json(report, pretty: AuditOptions.isTerminal) : report.text)
            if !report.clean { throw ExitCode(1) }
        }
    }
}
