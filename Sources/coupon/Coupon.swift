import ArgumentParser

@main
struct Coupon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coupon",
        abstract: "First-come coupon issuance over an append-only log in Redis.",
        subcommands: [Serve.self, Init.self, Coupons.self]
    )
}
