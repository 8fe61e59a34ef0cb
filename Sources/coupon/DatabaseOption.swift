import ArgumentParser
import CouponStore

/// `--database`, for every command that opens the projection.
struct DatabaseOption: ParsableArguments {
    @Option(
        help: """
            Projection database: sqlite:PATH (a relative PATH is resolved against the working directory), \
            mysql://user:password@host:port/dbname or mysql://user:password@localhost/dbname?socket=PATH \
            for MariaDB/MySQL (env COUPON_DATABASE_URL).
            """)
    var database: String = OptionEnvironment.string("COUPON_DATABASE_URL", default: "sqlite:coupons.sqlite")

    func validate() throws {
        try OptionEnvironment.check()
        _ = try url()
    }

    func url() throws -> DatabaseURL {
        do { return try DatabaseURL(database) } catch { throw ValidationError(error.description) }
    }
}
