import NIOPosix
import ServiceLifecycle

/// Shuts down an event loop group of the application's own once the service group is shutting
/// down and the services after it (the HTTP server among them) have stopped.
struct EventLoopGroupShutdown: Service {
    let group: MultiThreadedEventLoopGroup

    func run() async throws {
        try? await gracefulShutdown()
        try await group.shutdownGracefully()
    }
}
