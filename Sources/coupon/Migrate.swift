import ArgumentParser
import CouponStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the SQL migrations (Migrations/, carried in this binary) in order.")

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let url = try database.url()
        let applied = try await ProjectionStores.open(url).migrate()
        print(
            applied.isEmpty
                ? "\(url): schema is current" : "\(url): applied \(applied.map(String.init).joined(separator: ", "))")
    }
}
