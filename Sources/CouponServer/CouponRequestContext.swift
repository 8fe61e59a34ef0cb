import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core context plus the socket peer's address,
/// which the per-address rate limit keys on.
public struct CouponRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
