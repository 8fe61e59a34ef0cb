import ArgumentParser
import CouponStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the SQL migrations (Migrations/, carried in this binary) in order.")

    @Option(help: "Projection database: sqlite:PATH (env COUPON_DATABASE_URL).")
    var database: String = Environment.string("COUPON_DATABASE_URL", default: "sqlite:coupons.sqlite")

    func run() async throws {
        let url: DatabaseURL
        do { url = try DatabaseURL(database) } catch { throw ValidationError(error.description) }
        let applied = try await ProjectionStores.open(url).migrate()
        print(
            applied.isEmpty
                ? "\(url): schema is current" : "\(url): applied \(applied.map(String.init).joined(separator: ", "))")
    }
}
