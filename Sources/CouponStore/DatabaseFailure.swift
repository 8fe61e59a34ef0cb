/// An error of a database engine or its connection, as every store's engine layer reports it
/// (SQLite now, MariaDB later), so that the workers can tell a database that cannot write right
/// now (transient: keep the batch, retry) from anything else.
public protocol DatabaseFailure: Error, Sendable {
    /// True when the database or the connection cannot do its work right now and the same work
    /// may succeed later (locks, full disk, I/O errors, lost connections).
    var isTransient: Bool { get }
}
