import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core context plus the socket peer's address,
/// which the per-address rate limit keys on. The address is read from the channel only when asked
/// (a lock in NIO), not for every request of every route.
public struct CouponRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    private let channel: any Channel

    public var remoteAddress: SocketAddress? { channel.remoteAddress }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
