import Foundation

/// Where a MariaDB/MySQL database is: `mysql://user:password@host:port/dbname`, or over a Unix
/// socket, `mysql://user:password@localhost/dbname?socket=PATH`. Credentials may be
/// percent-encoded; errors never show the password.
public struct MariaDBConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var socket: String?
    public var user: String
    public var password: String?
    public var database: String
    public var connectTimeoutSeconds: UInt32 = 5
    /// How long one read or write on the connection may wait.
    public var ioTimeoutSeconds: UInt32 = 120

    public init(url: String) throws(StoreError) {
        let shown = DatabaseURL.masked(url)
        guard url.hasPrefix("mysql://"), let components = URLComponents(string: url), let host = components.host,
            !host.isEmpty
        else {
            throw StoreError.invalidURL(
                "expected mysql://user:password@host:port/dbname or …@localhost/dbname?socket=PATH, got '\(shown)'")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError.invalidURL(
                "mysql URL needs a database name, e.g. mysql://coupon:secret@127.0.0.1:3306/coupons; got '\(shown)'")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError.invalidURL("mysql URL needs a user, e.g. mysql://coupon:secret@…; got '\(shown)'")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw StoreError.invalidURL("bad port in '\(shown)'")
        }
        self.host = host
        self.port = components.port ?? 3306
        self.socket = components.queryItems?.first { $0.name == "socket" }?.value
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
    }

    /// For logs: no password.
    public var description: String {
        "mysql://\(user)@\(host)\(socket == nil ? ":\(port)" : "")/\(database)\(socket.map { "?socket=\($0)" } ?? "")"
    }
}
