/// Where the client reports each round trip: how many commands it carried (the pipeline depth)
/// and how long it took. Kept to a protocol so the client depends on no metrics library.
public protocol RedisMetricsRecorder: Sendable {
    func recordRoundTrip(commands: Int, duration: Duration)
}
