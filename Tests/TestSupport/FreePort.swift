import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Asks the kernel for a free TCP port on loopback (bind to port 0, read it back, close), and
/// never hands out one port twice in a test process. Tests run concurrently, the kernel reserves
/// nothing once the probe's socket is closed, and a server stopped to be restarted frees its port
/// for a while: two servers were given one port, the second failed to bind, and two tests talked
/// to one Redis ("initialised with 3 partitions, but 2 are configured").
public enum FreePort {
    private static let handedOut = Mutex<Set<Int>>([])

    /// A free port whose Redis Cluster bus port (port + 10000) is free too.
    public static func withClusterBus() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<32_000)
            if isFree(port), isFree(port + 10_000), claim(port), claim(port + 10_000) { return port }
        }
        throw TestSupportError("no free port pair for a cluster node")
    }

    /// True the first time `port` is asked for in this process.
    private static func claim(_ port: Int) -> Bool {
        handedOut.withLock { $0.insert(port).inserted }
    }

    static func isFree(_ port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address in
            bind(fd, address, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }

    public static func next() throws -> Int {
        for _ in 0..<200 {
            let port = try kernelAssigned()
            if claim(port) { return port }
        }
        throw TestSupportError("no free port that this process has not handed out already")
    }

    private static func kernelAssigned() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw TestSupportError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs `body` with a new TCP socket and the address 127.0.0.1:port; closes the socket after.
private func withLoopbackSocket(port: Int, _ body: (Int32, UnsafePointer<sockaddr>) -> Bool) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0) }
    }
}

/// True when a Redis on the port answers PING, or asks for a password (blocking; test set-up only).
func pingProbe(port: Int) throws -> Bool {
    withLoopbackSocket(port: port) { fd, address in
        guard connect(fd, address, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 else { return false }
        return answersPing(fd)
    }
}

private func answersPing(_ fd: Int32) -> Bool {
    let ping = Array("PING\r\n".utf8)
    guard write(fd, ping, ping.count) == ping.count else { return false }
    var buffer = [UInt8](repeating: 0, count: 64)
    let count = read(fd, &buffer, buffer.count)
    guard count > 0 else { return false }
    let answer = String(decoding: buffer[0..<count], as: UTF8.self)
    return answer.hasPrefix("+PONG") || answer.hasPrefix("-NOAUTH")  // up, and wants a password
}
