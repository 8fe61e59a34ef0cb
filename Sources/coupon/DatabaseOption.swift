import ArgumentParser
import CouponStore

/// `--database`, for every command that opens the projection.
struct DatabaseOption: ParsableArguments {
    @Option(help: "Projection database: sqlite:PATH (env COUPON_DATABASE_URL).")
    var database: String = Environment.string("COUPON_DATABASE_URL", default: "sqlite:coupons.sqlite")

    func validate() throws { _ = try url() }

    func url() throws -> DatabaseURL {
        do { return try DatabaseURL(database) } catch { throw ValidationError(error.description) }
    }
}
