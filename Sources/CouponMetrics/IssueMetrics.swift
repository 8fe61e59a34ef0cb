import Prometheus

/// How an issue request ended, as the metrics label it.
public enum IssueOutcome: String, Sendable, CaseIterable {
    case issued
    case alreadyIssued = "already_issued"
    case soldOut = "sold_out"
    case notStarted = "not_started"
    case ended
    case notFound = "not_found"
    /// Refused before Redis: bad JSON, user id or coupon id, too large, wrong media type.
    case invalid
    /// 503: Redis unreachable, data lost, partition count not yet confirmed, or not confirmed by a
    /// replica (durability replicated).
    case unavailable
    /// 401 (no or invalid token) and 403 (user id not the token's subject).
    case unauthenticated
    /// 429: over the per-user or per-address rate.
    case rateLimited = "rate_limited"
    /// 503 OVERLOADED: `--max-inflight` admissions already in flight.
    case overloaded
}

/// `coupon_issue_requests_total{outcome}` and `coupon_issue_duration_seconds{outcome}`: every
/// handle made up front, so a request costs an atomic add and a histogram record, no lookup.
public struct IssueMetrics: Sendable {
    private let requests: [IssueOutcome: Counter]
    private let durations: [IssueOutcome: DurationHistogram]
    /// `coupon_issue_inflight`, set at scrape time (nothing on the request path).
    private let inFlight: Gauge
    /// `coupon_issue_event_loop_answers_total`: final answers given without the router.
    private let onEventLoop: Counter

    static let buckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    init(_ registry: PrometheusCollectorRegistry) {
        let requests = MetricNameDescriptor.coupon(
            "issue", "requests", "total", "Issue requests (POST /v1/coupons/{id}/issues) by outcome.")
        let durations = MetricNameDescriptor.coupon(
            "issue", "duration", "seconds", "Time to answer an issue request, by outcome.")
        var counters: [IssueOutcome: Counter] = [:]
        var histograms: [IssueOutcome: DurationHistogram] = [:]
        for outcome in IssueOutcome.allCases {
            let labels = [("outcome", outcome.rawValue)]
            counters[outcome] = registry.makeCounter(descriptor: requests, labels: labels)
            histograms[outcome] = registry.makeDurationHistogram(
                descriptor: durations, labels: labels, buckets: IssueMetrics.buckets)
        }
        self.requests = counters
        self.durations = histograms
        inFlight = registry.makeGauge(
            descriptor: .coupon(
                "issue", "inflight", "",
                "Issue requests past every check and waiting on Redis now (503 OVERLOADED above --max-inflight)."))
        onEventLoop = registry.makeCounter(
            descriptor: .coupon(
                "issue", "event_loop_answers", "total",
                "Issue requests answered on the event loop from final answers (sold out, ended), without the router."
            ))
    }

    /// The admissions in flight, read when `/metrics` is scraped.
    public func inFlight(_ count: Int) {
        inFlight.set(to: Double(count))
    }

    /// `onEventLoop`: answered by the event loop's fast path (also counted by outcome).
    public func record(_ outcome: IssueOutcome, duration: Duration, onEventLoop: Bool = false) {
        requests[outcome]?.increment()
        durations[outcome]?.record(duration)
        if onEventLoop { self.onEventLoop.increment() }
    }
}
